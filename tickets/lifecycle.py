"""The work order's life cycle (工单流转): its statuses and which step may follow which.

One table says, for every step, the statuses it may start from and the status it
leads to; ``check_step`` refuses anything else with an error that names the order's
status, the step and what the step needs. Steps that change no status (a follow-up
note, an urge, an extension request) are in the table too, so that every step is
checked the same way and written to the order's history the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tickets.errors import IllegalStepError


class Status(StrEnum):
    DRAFT = "draft"  # a seat answered; the form is not saved yet
    PENDING_SIGN = "pending_sign"  # sent down by the city/district platform, to sign for
    ACCEPTED = "accepted"  # 已受理: waiting to be dispatched
    DISPATCHED = "dispatched"  # 已派单: waiting for the unit to sign for it
    HANDLING = "handling"  # 办理中: the main unit signed for it
    UNIT_RETURNED = "unit_returned"  # 单位退回: the hotline decides
    REPLIED = "replied"  # 已回复: waiting for the callback (回访)
    HANGING = "hanging"  # 挂账: cannot be solved now, reported monthly
    CLOSED = "closed"  # 办结
    RETURNED_UP = "returned_up"  # 退回上级: not ours, sent back to the platform
    MERGED = "merged"  # 已并单: merged into another order


STATUS_LABELS = {
    Status.DRAFT: "草稿",
    Status.PENDING_SIGN: "待签收",
    Status.ACCEPTED: "待派单",
    Status.DISPATCHED: "已派单",
    Status.HANDLING: "办理中",
    Status.UNIT_RETURNED: "单位退回",
    Status.REPLIED: "待回访",
    Status.HANGING: "挂账",
    Status.CLOSED: "已办结",
    Status.RETURNED_UP: "已退回上级",
    Status.MERGED: "已并单",
}

FINAL = frozenset({Status.CLOSED, Status.RETURNED_UP, Status.MERGED})
OPEN = frozenset(Status) - FINAL


class Step(StrEnum):
    ACCEPT = "accept"  # 受理: the agent saves the form
    EDIT = "edit"  # the form corrected before dispatch
    ANSWER_DIRECTLY = "answer_directly"  # 直办: answered on the spot, closed at once
    RECEIVE = "receive"  # an order from SMS, web, WeChat, app or the platform
    SIGN = "sign"  # 签收 of a platform order
    RETURN_UP = "return_up"  # 退回 of a platform order
    DISPATCH = "dispatch"  # 派单
    UNIT_SIGN = "unit_sign"  # the unit signs for it
    UNIT_RETURN = "unit_return"  # the unit returns it with a reason
    REDISPATCH = "redispatch"  # the hotline accepts the return and sends it elsewhere
    REJECT_RETURN = "reject_return"  # the hotline rules the unit must handle it
    RESPOND = "respond"  # first contact with the citizen (响应)
    REPLY = "reply"  # the unit's reply with the five elements
    REVISIT = "revisit"  # 回访 result
    HANG = "hang"  # 挂账
    HANGING_PROGRESS = "hanging_progress"  # the monthly progress of a hanging order
    RESUME = "resume"  # off the hanging list, back to the unit
    MERGE = "merge"  # 并单 into another order
    NOT_COUNTED = "not_counted"  # 不纳入考核, with a justification
    FOLLOW_UP = "follow_up"  # 跟踪: a supervision checkpoint done
    URGE = "urge"  # 催办
    SUPERVISE = "supervise"  # 督办
    ASK_EXTENSION = "ask_extension"  # the unit asks for more time
    DECIDE_EXTENSION = "decide_extension"  # the hotline approves or refuses


STEP_LABELS = {
    Step.ACCEPT: "受理",
    Step.EDIT: "修改工单",
    Step.ANSWER_DIRECTLY: "直办办结",
    Step.RECEIVE: "接收",
    Step.SIGN: "签收",
    Step.RETURN_UP: "退回上级",
    Step.DISPATCH: "派单",
    Step.UNIT_SIGN: "单位签收",
    Step.UNIT_RETURN: "单位退回",
    Step.REDISPATCH: "改派",
    Step.REJECT_RETURN: "驳回退回",
    Step.RESPOND: "响应",
    Step.REPLY: "单位回复",
    Step.REVISIT: "回访",
    Step.HANG: "挂账",
    Step.HANGING_PROGRESS: "挂账进展",
    Step.RESUME: "恢复办理",
    Step.MERGE: "并单",
    Step.NOT_COUNTED: "不纳入考核",
    Step.FOLLOW_UP: "跟踪",
    Step.URGE: "催办",
    Step.SUPERVISE: "督办",
    Step.ASK_EXTENSION: "申请延期",
    Step.DECIDE_EXTENSION: "延期审批",
}

S = Status
_AT_UNIT = frozenset({S.DISPATCHED, S.HANDLING})
_BEFORE_DISPATCH = frozenset({S.DRAFT, S.PENDING_SIGN, S.ACCEPTED})


@dataclass(frozen=True, slots=True)
class Rule:
    starts: frozenset[Status]
    # None: the status stays; several: the step's outcome decides (see ``Order`` steps)
    leads_to: frozenset[Status] | None


def _rule(starts: frozenset[Status] | set[Status], *leads_to: Status) -> Rule:
    return Rule(frozenset(starts), frozenset(leads_to) if leads_to else None)


RULES: dict[Step, Rule] = {
    Step.ACCEPT: _rule({S.DRAFT}, S.ACCEPTED),
    Step.EDIT: _rule({S.ACCEPTED, S.PENDING_SIGN}),
    Step.ANSWER_DIRECTLY: _rule({S.DRAFT, S.ACCEPTED}, S.CLOSED),
    Step.RECEIVE: _rule(set(), S.ACCEPTED, S.PENDING_SIGN),
    Step.SIGN: _rule({S.PENDING_SIGN}, S.ACCEPTED),
    Step.RETURN_UP: _rule({S.PENDING_SIGN}, S.RETURNED_UP),
    Step.DISPATCH: _rule({S.ACCEPTED}, S.DISPATCHED),
    Step.UNIT_SIGN: _rule({S.DISPATCHED}, S.HANDLING),
    Step.UNIT_RETURN: _rule(_AT_UNIT, S.UNIT_RETURNED),
    Step.REDISPATCH: _rule({S.UNIT_RETURNED}, S.DISPATCHED),
    Step.REJECT_RETURN: _rule({S.UNIT_RETURNED}, S.HANDLING),
    Step.RESPOND: _rule(_AT_UNIT | {S.ACCEPTED}),
    Step.REPLY: _rule({S.HANDLING}, S.REPLIED),
    # satisfied → closed; unsatisfied or unresolved → back to the unit; unreachable →
    # another attempt, or closed when the attempts are used up
    Step.REVISIT: _rule({S.REPLIED}, S.CLOSED, S.HANDLING, S.REPLIED),
    Step.HANG: _rule({S.HANDLING, S.REPLIED}, S.HANGING),
    Step.HANGING_PROGRESS: _rule({S.HANGING}),
    Step.RESUME: _rule({S.HANGING}, S.HANDLING),
    Step.MERGE: _rule(_BEFORE_DISPATCH, S.MERGED),
    Step.NOT_COUNTED: _rule(frozenset(Status) - {S.DRAFT, S.MERGED}),
    Step.FOLLOW_UP: _rule(OPEN - {S.DRAFT}),
    Step.URGE: _rule(OPEN - {S.DRAFT}),
    Step.SUPERVISE: _rule(OPEN - {S.DRAFT}),
    Step.ASK_EXTENSION: _rule({S.HANDLING, S.HANGING}),
    Step.DECIDE_EXTENSION: _rule({S.HANDLING, S.HANGING, S.REPLIED}),
}


class IllegalStep(IllegalStepError):
    """A step the order's status does not allow; the message says what would."""

    def __init__(self, number: str, status: Status, step: Step) -> None:
        allowed = "、".join(STATUS_LABELS[s] for s in sorted(RULES[step].starts)) or "（无）"
        super().__init__(
            f"order {number} is {status.value} ({STATUS_LABELS[status]}): "
            f"{step.value} ({STEP_LABELS[step]}) needs one of: {allowed}"
        )
        self.number = number
        self.order_status = status
        self.step = step


def check_step(number: str, status: Status, step: Step, to: Status | None = None) -> Status:
    """The status after ``step`` from ``status`` (``to`` picks among several outcomes);
    IllegalStep when the step may not start from ``status``."""
    rule = RULES[step]
    if status not in rule.starts:
        raise IllegalStep(number, status, step)
    if rule.leads_to is None:
        return status
    if to is None:
        if len(rule.leads_to) != 1:
            raise IllegalStepError(f"{step.value} leads to one of {sorted(rule.leads_to)}")
        (to,) = rule.leads_to
    if to not in rule.leads_to:
        raise IllegalStepError(f"{step.value} cannot lead to {to.value}")
    return to


def is_open(status: str) -> bool:
    return Status(status) in OPEN
