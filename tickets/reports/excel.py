"""Reports as Excel workbooks (openpyxl): the statistics of a period, one sheet per table
with a chart of the days, and the assessment with every metric, every day judged and every
item of evidence."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tickets.reports.assess import Assessment, fee_substituted
from tickets.reports.render import metric_json

BOLD = Font(bold=True)


def _sheet(
    book: Workbook, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Worksheet:
    sheet: Worksheet = book.create_sheet(title)
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = BOLD
    for row in rows:
        sheet.append([_cell(value) for value in row])
    for n, name in enumerate(header, 1):
        sheet.column_dimensions[get_column_letter(n)].width = max(
            10, min(40, len(str(name)) * 2 + 2)
        )
    sheet.freeze_panes = "A2"
    return sheet


def _cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        return str(value)
    return value


def _pairs(book: Workbook, title: str, values: dict[str, Any]) -> Worksheet:
    return _sheet(
        book,
        title,
        ("项目 item", "数值 value"),
        ((k, v) for k, v in values.items() if not isinstance(v, list)),
    )


def stats_workbook(report: dict[str, Any]) -> Workbook:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    summary = {
        "period": report["period"]["label"],
        **{k: v for k, v in report["filters"].items() if v},
    }
    summary.update(report["calls"])
    summary.update(report["orders"])
    summary.update({f"satisfaction.{k}": v for k, v in report["satisfaction"].items()})
    summary.update({f"qa.{k}": v for k, v in report["qa"].items()})
    _pairs(book, "汇总 Summary", summary)
    days = report["by_day"]
    header = list(days[0]) if days else ["day"]
    daily = _sheet(book, "每日 Days", header, ([d[k] for k in header] for d in days))
    if days:
        _day_charts(daily, header, len(days))
    hours = report["by_hour"]
    _sheet(book, "时段 Hours", list(hours[0]), ([h[k] for k in hours[0]] for h in hours))
    _table(book, "座席 Seats", report["seats"])
    _table(book, "座席员 Agents", report["agents"])
    _table(book, "分类 Categories", report["by_category"])
    _table(book, "渠道 Channels", report["by_channel"])
    _table(book, "不纳入考核 Not counted", report["not_counted"])
    _table(book, "重复 Duplicates", report["duplicates"])
    _table(book, "挂账 Hanging", report["hanging"])
    topics = report["topics"]
    for key, title in (("top_categories", "热点分类"), ("places", "热点地点"), ("words", "热词")):
        _table(book, f"{title} {key}", topics[key])
    return book


def _table(book: Workbook, title: str, rows: list[dict[str, Any]]) -> Worksheet:
    header = list(rows[0]) if rows else ["—"]
    return _sheet(book, title[:31], header, ([row.get(k) for k in header] for row in rows))


def _day_charts(sheet: Worksheet, header: list[str], count: int) -> None:
    days = Reference(sheet, min_col=1, min_row=2, max_row=count + 1)
    bars = BarChart()
    bars.title = "呼入与接听 offered / answered"
    for name in ("offered", "answered"):
        column = header.index(name) + 1
        bars.add_data(
            Reference(sheet, min_col=column, min_row=1, max_row=count + 1), titles_from_data=True
        )
    bars.set_categories(days)
    sheet.add_chart(bars, f"{get_column_letter(len(header) + 2)}2")
    line = LineChart()
    line.title = "15秒及时应答率 / 接通率"
    for name in ("answer_rate_in_target", "connection_rate"):
        column = header.index(name) + 1
        line.add_data(
            Reference(sheet, min_col=column, min_row=1, max_row=count + 1), titles_from_data=True
        )
    line.set_categories(days)
    sheet.add_chart(line, f"{get_column_letter(len(header) + 2)}20")


def assessment_workbook(assessment: Assessment) -> Workbook:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    contract = assessment.contract
    metrics = [metric_json(result) for result in assessment.results]
    _sheet(
        book,
        "考核 Assessment",
        (
            "指标 id",
            "名称 label",
            "行 line",
            "公式 formula",
            "代入 values",
            "结果 value",
            "目标 target",
            "达标 met",
            "未达标天数 days short",
            "扣减 deduction",
            "证据条数 evidence",
        ),
        (
            (
                m["id"],
                m["label"],
                m["line"],
                m["formula"],
                m["substituted"],
                m["value"],
                m["target"],
                m["met"],
                m["days_short"],
                m["deduction"],
                len(m["evidence"]) + sum(len(d["evidence"]) for d in m["days"]),
            )
            for m in metrics
        ),
    )
    _sheet(
        book,
        "逐日 Days",
        ("指标 id", "日期 day", "代入 values", "结果 value", "达标 met", "扣减 deduction"),
        (
            (m["id"], d["day"], d["substituted"], d["value"], d["met"], d["deduction"])
            for m in metrics
            for d in m["days"]
        ),
    )
    _sheet(
        book,
        "证据 Evidence",
        (
            "指标 id",
            "日期 day",
            "类别 kind",
            "时间 at",
            "编号 ref",
            "说明 what",
            "工单 order",
            "通话 call",
            "录音 recording",
        ),
        _evidence_rows(metrics),
    )
    totals = {
        "合同 contract": contract.name,
        "文件 file": contract.file,
        "月份 period": assessment.period.label(),
        "合计扣款 total deduction": assessment.total_deduction,
        "得分 score": assessment.score,
        "扣减比例 deduction %": assessment.deduction_percent,
        "服务费公式 fee formula": None
        if contract.fee is None
        else f"{contract.fee.text} = {fee_substituted(assessment)}",
        "服务费 fee": assessment.fee,
        **{f"扣分 {group}": lost for group, lost in assessment.lost_by_group.items()},
        **{f"录入 {name}": value for name, value in assessment.inputs.items()},
    }
    _pairs(book, "合计 Totals", totals)
    return book


def _evidence_rows(metrics: list[dict[str, Any]]) -> Iterable[Sequence[Any]]:
    for m in metrics:
        for item in m["evidence"]:
            yield (
                m["id"],
                "",
                item["kind"],
                item["at"],
                item["ref"],
                item["what"],
                item["order"],
                item["call"],
                item["recording_id"],
            )
        for day in m["days"]:
            for item in day["evidence"]:
                yield (
                    m["id"],
                    day["day"],
                    item["kind"],
                    item["at"],
                    item["ref"],
                    item["what"],
                    item["order"],
                    item["call"],
                    item["recording_id"],
                )


def workbook_bytes(book: Workbook) -> bytes:
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
