# Shared set-up steps of ./test.sh and ./demo.sh (sourced, not run).

pick_python() {
    for candidate in python3.11 python3.12 python3.13 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 14) else 1)'; then
            echo "$candidate"
            return
        fi
    done
    echo "hotline needs Python 3.11, 3.12 or 3.13" >&2
    exit 1
}

# ensure_venv [dev]: .venv with the project installed (editable), reinstalled when pyproject.toml changes.
ensure_venv() {
    local extra="${1:-}" spec="." stamp
    [ -n "$extra" ] && spec=".[$extra]"
    stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)-${extra:-base}"
    if [ ! -x .venv/bin/python ]; then
        "$(pick_python)" -m venv .venv
    fi
    if [ ! -f "$stamp" ]; then
        echo "== installing into .venv"
        .venv/bin/python -m pip install -q --disable-pip-version-check -U pip </dev/null
        .venv/bin/python -m pip install -q --disable-pip-version-check -e "$spec" </dev/null
        rm -f .venv/.installed-*
        touch "$stamp"
    fi
}

port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

wait_port() {
    for _ in $(seq 1 50); do
        port_open "$1" && return 0
        sleep 0.2
    done
    echo "nothing answers on 127.0.0.1:$1 ($2)" >&2
    return 1
}

ensure_postgres() {
    if ! port_open 5432; then
        echo "== starting PostgreSQL"
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
    fi
    wait_port 5432 PostgreSQL
}

ensure_redis() {
    if ! port_open 6379; then
        echo "== starting Redis"
        redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
    fi
    wait_port 6379 Redis
}

# ensure_chromium: Debian's Chromium for the browser tests and `hotline screenshots`
# (Playwright drives /usr/bin/chromium; it never downloads a browser of its own), and
# CJK fonts so that Chinese renders in screenshots.
ensure_chromium() {
    if [ -x /usr/bin/chromium ] && fc-list :lang=zh 2>/dev/null | grep -q .; then
        return
    fi
    echo "== installing Chromium and CJK fonts (apt-get)"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo -n"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -q </dev/null >/dev/null
    $sudo apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk </dev/null >/dev/null
    if [ ! -x /usr/bin/chromium ]; then
        echo "ensure_chromium: /usr/bin/chromium is still missing after apt-get" >&2
        return 1
    fi
}
