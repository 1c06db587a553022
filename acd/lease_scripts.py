"""The Lua scripts of the routing lease (``acd.lease``): each runs atomically in Redis.

Keys and values are described in ``acd.lease``. A lease value is
``<instance>:<token>``; a claim value is ``<instance>:<token>:<seat or call_id>``.
"""

# KEYS: lease, fence · ARGV: instance, ttl ms. Taking the lease and drawing its token in
# one script: a holder whose key exists has always drawn the token written in it.
ACQUIRE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. token, 'PX', ARGV[2])
return token
"""

# KEYS: lease · ARGV: value, ttl ms
RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""

# KEYS: lease · ARGV: value
RELEASE_LEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS: lease, fence, caller claim, seat claim · ARGV: lease value, token, claim ttl ms,
# instance, call_id, seat. A claim under an older token was made by a holder that has
# since been fenced off; one under this token is this router's own (its state rules).
CLAIM = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'not-leader' end
if redis.call('GET', KEYS[2]) ~= ARGV[2] then return 'stale' end
local token = tonumber(ARGV[2])
for i = 3, 4 do
  local held = redis.call('GET', KEYS[i])
  if held then
    local by = tonumber(string.match(held, '^[^:]*:(%d+):'))
    if by and by > token then return 'stale' end
  end
end
local mine = ARGV[4] .. ':' .. ARGV[2] .. ':'
redis.call('SET', KEYS[3], mine .. ARGV[6], 'PX', ARGV[3])
redis.call('SET', KEYS[4], mine .. ARGV[5], 'PX', ARGV[3])
return 'ok'
"""

# KEYS: claim · ARGV: '<instance>:' — only a claim this instance made goes
RELEASE_CLAIM = """
local held = redis.call('GET', KEYS[1])
if held and string.sub(held, 1, #ARGV[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS: lease, hash · ARGV: lease value, then field, value pairs
KEEP_FIELDS = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
return 1
"""
