// What the work-order pages share: texts (Chinese first), the header, calls to the JSON API,
// small action forms, deadline clocks and the live events over /ws.
"use strict";

// Keys in this object are read by tests/integration/test_pages.py: keep it plain JSON.
const TEXTS = {
  "zh-CN": {
    "nav_wallboard": "实时监控", "nav_desk": "座席", "nav_dispatch": "派单", "nav_revisits": "回访",
    "live": "实时连接正常", "reconnecting": "正在重新连接…",
    "loading": "加载中…", "empty": "暂无", "saved": "已保存", "sent": "已提交", "network_error": "网络错误，请重试",
    "need_seat": "请先选择座席", "h_direction": "方向", "submit": "提交", "yes": "是", "no": "否",
    "dispatch_title": "派单台", "order_title": "工单详情", "unit_title": "承办单位", "revisits_title": "回访",
    "desk_title": "座席工作台",
    "col_new": "新工单", "col_due_soon": "即将超时", "col_overdue": "已超时", "col_returned": "单位退回",
    "col_disputed": "争议", "notices": "督办提醒", "no_notices": "暂无提醒", "refresh": "刷新",
    "h_number": "工单号", "h_line": "热线", "h_category": "分类", "h_address": "地址", "h_status": "状态",
    "h_deadline": "时限", "h_unit": "承办单位", "h_caller": "来电人", "h_time": "时间", "h_step": "环节",
    "h_actor": "操作人", "h_change": "状态变化", "h_note": "说明", "h_role": "角色", "h_state": "状态",
    "h_attempt": "次数", "h_result": "结果", "h_seat": "座席", "h_agent": "工号", "h_call": "通话编号",
    "h_recording": "录音", "h_due": "截止", "h_attempts": "已回访", "h_content": "诉求内容",
    "h_channel": "渠道", "h_urgency": "紧急程度",
    "badge_urge": "催办", "badge_supervise": "督办", "badge_duplicate": "疑似重复", "badge_confidential": "保密",
    "badge_not_counted": "不纳入考核", "badge_urgent": "紧急",
    "left": "剩余", "overdue_by": "已超时",
    "new_order": "录入其他渠道工单", "f_line": "热线", "f_channel": "渠道", "f_caller_number": "来电号码",
    "f_caller_name": "姓名", "f_source_ref": "来源编号", "f_category": "分类", "f_address": "地址",
    "f_urgency": "紧急程度", "f_content": "诉求内容", "f_confidential": "保密（不向承办单位显示来电人）",
    "f_note": "说明", "f_reason": "原因", "f_justification": "依据", "f_into": "并入工单号",
    "f_main_unit": "主办单位", "f_assisting": "协办单位", "f_wrongly": "派错单", "f_approve": "同意延期",
    "f_handled_at": "时间", "f_place": "地点", "f_person": "人物", "f_matter": "事件", "f_result": "结果",
    "f_resolved": "已解决", "f_photos": "照片", "f_until": "延期至", "f_seat": "座席号", "f_answer": "答复内容",
    "f_date": "日期", "f_pick": "请选择",
    "created": "已创建工单", "open_order": "打开",
    "sec_fields": "工单信息", "sec_deadlines": "时限", "sec_timeline": "时间线", "sec_assignments": "承办单位",
    "sec_replies": "单位回复", "sec_extensions": "延期申请", "sec_revisits": "回访记录", "sec_actions": "操作",
    "sec_times": "办理时间", "satisfaction": "满意度",
    "role_main": "主办", "role_assist": "协办",
    "assign_active": "待签收", "assign_signed": "已签收", "assign_returned": "已退回", "assign_withdrawn": "已撤回",
    "assign_replied": "已回复",
    "act_sign": "签收", "act_return_up": "退回上级", "act_dispatch": "派单", "act_redispatch": "改派",
    "act_reject_return": "驳回退回", "act_respond": "响应", "act_merge": "并单", "act_not_counted": "不纳入考核",
    "act_follow_up": "跟踪", "act_urge": "催办", "act_supervise": "督办", "act_hang": "挂账",
    "act_hanging_progress": "挂账进展", "act_resume": "恢复办理", "act_decide_extension": "延期审批",
    "act_unit_sign": "签收", "act_unit_return": "退回", "act_reply": "回复", "act_extension": "申请延期", "act_ack": "已处理",
    "act_call": "从座席拨打", "act_result": "登记回访结果", "act_accept": "保存受理", "act_answer": "直办办结",
    "suggestions": "推荐单位", "no_actions": "当前状态无可用操作", "photo_of": "照片",
    "f_times_accepted": "受理", "f_times_dispatched": "派单", "f_times_responded": "响应", "f_times_replied": "回复",
    "f_times_closed": "办结", "extension_pending": "待审批", "approved": "已同意", "refused": "未同意",
    "unit_to_sign": "待签收", "unit_handling": "办理中", "upload_failed": "照片上传失败",
    "revisit_list": "待回访工单", "ledger": "回访录音台账", "calling": "正在呼叫座席…", "revisit_id": "回访编号",
    "seat_state": "座席状态", "act_ready": "就绪", "act_pause": "暂停", "act_wrapup_end": "结束话后处理",
    "act_wrapup_extend": "延长话后处理", "f_pause_reason": "暂停原因", "no_call": "当前没有通话", "pause_next": "话后暂停",
    "on_call": "通话中", "caller": "来电人", "history": "来电历史", "earlier_calls": "以往来电",
    "open_orders": "工单", "order_form": "受理单", "draft_no": "草稿工单号", "answered_at": "接通时间",
    "state_ready": "空闲", "state_reserved": "分配中", "state_ringing": "振铃", "state_talking": "通话中",
    "state_wrapup": "话后处理", "state_paused": "暂停", "state_offline": "未签入", "state_unreachable": "话机离线",
    "direction_in": "呼入", "direction_out": "呼出", "direction_callback": "回拨",
    "act_login": "签入座席", "act_logout": "签出座席", "need_login": "请先签入座席", "seat_free": "空闲",
    "state_for": "本状态已持续", "wrapup_left": "话后处理剩余", "my_callbacks": "我的回拨", "cb_mine": "我的",
    "cb_dial": "回拨", "cb_record": "登记结果", "cb_dialled": "正在呼叫座席话机…", "cb_none": "暂无待回拨来电",
    "cb_status_reached": "已联系上", "cb_status_unreachable": "无法联系", "cb_status_not_needed": "无需回拨",
    "cb_status_cancelled": "取消", "cb_state_pending": "待回拨", "cb_state_calling": "正在回拨",
    "signin_title": "热线系统登录", "signin_user": "工号", "signin_password": "密码", "signin_submit": "登录",
    "signin_wrong": "用户名或密码错误", "signin_throttled": "尝试次数过多，请 {seconds} 秒后再试",
    "signin_missing": "请填写工号和密码",
    "users_title": "用户管理", "users_list": "用户", "users_edit": "修改用户", "users_new": "新增用户",
    "users_read_only": "审计员只能查看，不能修改", "h_user_id": "工号", "h_name": "姓名", "h_roles": "角色",
    "h_unit_code": "承办单位", "f_user_id": "工号", "f_name": "姓名", "f_roles": "角色",
    "f_unit_code": "承办单位代码（仅承办单位角色）", "f_disabled": "停用（立即结束其登录）",
    "f_new_password": "新密码（至少10位，不含工号）", "f_first_password": "初始密码（至少10位，不含工号）",
    "act_save": "保存", "act_edit": "修改", "act_reset_password": "重置密码", "act_add_user": "新增",
    "user_active": "在用", "user_disabled": "已停用",
    "status_draft": "草稿", "status_pending_sign": "待签收", "status_accepted": "待派单",
    "status_dispatched": "已派单", "status_handling": "办理中", "status_unit_returned": "单位退回",
    "status_replied": "待回访", "status_hanging": "挂账", "status_closed": "已办结",
    "status_returned_up": "已退回上级", "status_merged": "已并单",
    "step_accept": "受理", "step_edit": "修改工单", "step_answer_directly": "直办办结", "step_receive": "接收",
    "step_sign": "签收", "step_return_up": "退回上级", "step_dispatch": "派单", "step_unit_sign": "单位签收",
    "step_unit_return": "单位退回", "step_redispatch": "改派", "step_reject_return": "驳回退回",
    "step_respond": "响应", "step_reply": "单位回复", "step_revisit": "回访", "step_hang": "挂账",
    "step_hanging_progress": "挂账进展", "step_resume": "恢复办理", "step_merge": "并单",
    "step_not_counted": "不纳入考核", "step_follow_up": "跟踪", "step_urge": "催办", "step_supervise": "督办",
    "step_ask_extension": "申请延期", "step_decide_extension": "延期审批",
    "deadline_dispatch": "派单时限", "deadline_response": "响应时限", "deadline_sign": "签收时限",
    "deadline_rehandle": "重办时限", "deadline_reply": "回复时限", "deadline_callback": "回访时限", "deadline_missed_call": "回拨时限",
    "deadline_close": "办结时限", "deadline_property_phone": "物业催办时限",
    "result_satisfied": "满意", "result_basically_satisfied": "基本满意", "result_unsatisfied": "不满意",
    "result_unreachable": "无法联系",
    "urgency_normal": "一般", "urgency_urgent": "紧急",
    "channel_phone": "电话", "channel_sms": "短信", "channel_web": "网站", "channel_wechat": "微信小程序",
    "channel_app": "APP", "channel_platform": "市/区平台",
    "reason_same_person_same_complaint": "同人同诉", "reason_litigation": "涉法涉诉",
    "reason_against_policy": "不符合政策", "reason_unreasonable": "不合理诉求",
    "notice_urge": "催办", "notice_supervise": "督办", "notice_follow_up": "跟踪",
    "notice_property_phone": "电话催促物业",
    "nav_recordings": "录音", "recordings_title": "录音查询", "rec_search": "查询条件", "rec_all": "全部",
    "rec_from": "开始日期", "rec_to": "结束日期", "rec_min_seconds": "最短（秒）", "rec_max_seconds": "最长（秒）",
    "rec_outcome": "通话结果", "rec_find": "查询", "rec_clear": "清空", "rec_results": "录音列表",
    "rec_prev": "上一页", "rec_next": "下一页", "rec_player": "播放", "rec_pick_one": "请在列表中选择一条录音",
    "rec_picked": "已选录音", "rec_reason": "调取原因", "rec_reason_note": "说明", "rec_play": "播放",
    "rec_download": "下载", "rec_hold_reason": "封存原因", "rec_hold": "封存（不清理）", "rec_release": "解除封存",
    "rec_access_log": "调听记录", "rec_held": "已封存", "rec_not_stored": "该录音尚未存储或已清理，无法播放",
    "rec_need_reason": "请先选择调取原因", "rec_need_note": "选择“其他”时请填写说明",
    "rec_need_hold_reason": "请填写封存原因", "rec_play_failed": "录音无法播放",
    "why_qa": "质检", "why_complaint": "投诉核查", "why_callback": "回访核查", "why_evidence": "调取证据", "why_other": "其他",
    "h_kind": "类型", "h_duration": "时长", "h_outcome": "通话结果", "h_size": "文件", "h_sha256": "SHA-256",
    "h_purge_after": "保存至", "h_action": "操作", "h_source": "来源地址", "h_reason": "原因",
    "kind_call": "来电", "kind_callback": "回拨/回访",
    "rec_state_pending": "待转换", "rec_state_converting": "转换中", "rec_state_stored": "已存储",
    "rec_state_failed": "转换失败", "rec_state_missing": "录音缺失", "rec_state_purged": "已清理",
    "access_play": "播放", "access_download": "下载", "access_purge": "到期清理", "access_hold": "封存",
    "access_release": "解除封存",
    "outcome_answered": "已接通", "outcome_abandoned": "放弃", "outcome_timeout": "排队超时",
    "outcome_no_seat": "无可用座席", "outcome_lost": "连接中断", "outcome_kept_place": "保留排位回拨",
    "nav_qa": "质检", "nav_qa_mine": "我的质检", "nav_qa_supervise": "质检管理", "qa_title": "质检评分", "qa_mine_title": "我的质检结果",
    "qa_supervise_title": "质检管理", "h_sample": "样本", "h_reasons": "抽检原因", "h_at": "时刻", "h_item": "评分项",
    "h_score": "得分", "h_red_lines": "红线", "h_amend_reason": "修改原因", "h_appeal": "申诉", "h_survey": "满意度评价",
    "h_average": "平均分", "h_reviews": "评分数", "h_team": "班组", "h_count": "次数", "h_lost_points": "扣分合计",
    "h_scores": "各质检员给分", "h_spread": "差异", "qa_review": "评分", "qa_pick_sample": "请在待检列表中领取或打开一条样本",
    "qa_wave_hint": "点击波形在该时刻添加标记", "qa_mark_at": "时刻（秒）", "qa_mark_item": "评分项", "qa_no_item": "（不指定）",
    "qa_mark_comment": "标记说明", "qa_add_mark": "添加标记", "qa_form": "评分表", "qa_live_score": "当前得分",
    "qa_overall_comment": "总体评语", "qa_submit": "提交评分", "qa_queue": "待检样本", "qa_claim": "领取", "qa_open": "打开",
    "qa_calibration": "校准", "qa_state_open": "待领取", "qa_state_claimed": "评分中", "qa_state_reviewed": "已评分",
    "qa_survey_1": "满意", "qa_survey_2": "基本满意", "qa_survey_3": "不满意", "qa_no_recording": "无录音",
    "qa_pick_form": "请选择评分表", "qa_item_comment": "说明", "qa_na": "不适用", "qa_red_line": "红线",
    "qa_red_line_failed": "触犯红线", "qa_score_none": "全部不适用，无法计分", "qa_reason": "抽检原因", "qa_reason_random": "随机抽检",
    "qa_reason_minimum": "保底抽检", "qa_reason_unsatisfied": "不满意评价", "qa_reason_complaint": "投诉工单",
    "qa_reason_overdue": "超期工单", "qa_reason_returned": "退回工单", "qa_reason_short": "通话过短", "qa_reason_long": "通话过长",
    "qa_reason_calibration": "校准", "qa_appeal": "申诉", "qa_appeal_none": "未申诉", "qa_appeal_pending": "待处理",
    "qa_appeal_upheld": "维持原评分", "qa_appeal_overturned": "已改判", "qa_appeal_reason": "申诉理由", "qa_need_reason": "请填写理由",
    "qa_average": "平均分", "qa_red_line_count": "红线次数", "qa_my_results": "质检结果", "qa_detail": "评分明细",
    "qa_decision_note": "处理意见", "qa_plan": "抽检计划", "qa_seed": "随机种子", "qa_share": "抽检比例（%）", "qa_minimum": "每人保底",
    "qa_show_plan": "查看", "qa_make_plan": "生成计划", "qa_need_day": "请选择日期", "qa_no_plan": "该日尚无抽检计划",
    "qa_appeals": "待处理申诉", "qa_decide": "处理申诉", "qa_uphold": "维持原评分", "qa_overturn": "改判（重新评分）",
    "qa_calibration_spread": "校准差异", "qa_spread": "差异", "qa_figures": "质检统计", "qa_by_agent": "座席得分",
    "qa_by_team": "班组得分", "qa_common_errors": "常见问题", "qa_totals": "汇总", "qa_order_quality": "工单质量得分",
    "qa_satisfaction": "满意度", "qa_rated": "参评数", "qa_satisfied": "满意", "qa_basically_satisfied": "基本满意",
    "qa_unsatisfied": "不满意", "qa_rate": "满意率", "qa_source_survey": "话后评价", "qa_source_callback": "回访评价",
    "qa_amend": "修改评分", "qa_amend_reason": "修改原因", "qa_amend_submit": "提交修改", "qa_amend_cancel": "取消修改",
    "qa_need_amend_reason": "请填写修改原因", "qa_versions": "评分记录", "h_version": "版本"
  },
  "en": {
    "nav_wallboard": "Wallboard", "nav_desk": "Desk", "nav_dispatch": "Dispatch", "nav_revisits": "Callbacks",
    "live": "Live", "reconnecting": "Reconnecting…",
    "loading": "Loading…", "empty": "None", "saved": "Saved", "sent": "Sent", "network_error": "Network error, try again",
    "need_seat": "Choose the seat first", "h_direction": "Direction", "submit": "Submit", "yes": "yes", "no": "no",
    "dispatch_title": "Dispatcher board", "order_title": "Work order", "unit_title": "Responsible unit",
    "revisits_title": "Callbacks", "desk_title": "Agent desk",
    "col_new": "New", "col_due_soon": "Due soon", "col_overdue": "Overdue", "col_returned": "Returned by unit",
    "col_disputed": "Disputed", "notices": "Supervision notices", "no_notices": "No notices", "refresh": "Refresh",
    "h_number": "Number", "h_line": "Line", "h_category": "Category", "h_address": "Address", "h_status": "Status",
    "h_deadline": "Deadline", "h_unit": "Unit", "h_caller": "Caller", "h_time": "Time", "h_step": "Step",
    "h_actor": "By", "h_change": "Status change", "h_note": "Note", "h_role": "Role", "h_state": "State",
    "h_attempt": "Attempt", "h_result": "Result", "h_seat": "Seat", "h_agent": "Staff", "h_call": "Call id",
    "h_recording": "Recording", "h_due": "Due", "h_attempts": "Attempts", "h_content": "Request",
    "h_channel": "Channel", "h_urgency": "Urgency",
    "badge_urge": "urged", "badge_supervise": "supervised", "badge_duplicate": "possible duplicate",
    "badge_confidential": "confidential", "badge_not_counted": "not counted", "badge_urgent": "urgent",
    "left": "left", "overdue_by": "overdue by",
    "new_order": "Enter an order from another channel", "f_line": "Line", "f_channel": "Channel",
    "f_caller_number": "Caller number", "f_caller_name": "Name", "f_source_ref": "Source ref.",
    "f_category": "Category", "f_address": "Address", "f_urgency": "Urgency", "f_content": "Request",
    "f_confidential": "Confidential (caller hidden from units)", "f_note": "Note", "f_reason": "Reason",
    "f_justification": "Justification", "f_into": "Merge into order no.", "f_main_unit": "Main unit",
    "f_assisting": "Assisting units", "f_wrongly": "Wrongly assigned", "f_approve": "Approve the extension",
    "f_handled_at": "Time", "f_place": "Place", "f_person": "Person", "f_matter": "Matter", "f_result": "Result",
    "f_resolved": "Resolved", "f_photos": "Photos", "f_until": "Extend until", "f_seat": "Seat",
    "f_answer": "Answer given", "f_date": "Date", "f_pick": "Choose",
    "created": "Order created", "open_order": "Open",
    "sec_fields": "Order", "sec_deadlines": "Deadlines", "sec_timeline": "Timeline", "sec_assignments": "Units",
    "sec_replies": "Replies", "sec_extensions": "Extensions", "sec_revisits": "Callbacks", "sec_actions": "Actions",
    "sec_times": "Times", "satisfaction": "Satisfaction",
    "role_main": "main", "role_assist": "assisting",
    "assign_active": "to sign", "assign_signed": "signed", "assign_returned": "returned",
    "assign_withdrawn": "withdrawn", "assign_replied": "replied",
    "act_sign": "Sign for", "act_return_up": "Return to platform", "act_dispatch": "Dispatch",
    "act_redispatch": "Redispatch", "act_reject_return": "Reject the return", "act_respond": "Responded",
    "act_merge": "Merge", "act_not_counted": "Not counted", "act_follow_up": "Follow up", "act_urge": "Urge",
    "act_supervise": "Supervise", "act_hang": "Hang", "act_hanging_progress": "Hanging progress",
    "act_resume": "Resume", "act_decide_extension": "Decide extension", "act_unit_sign": "Sign for",
    "act_unit_return": "Return", "act_reply": "Reply", "act_extension": "Ask for more time", "act_ack": "Done",
    "act_call": "Call from seat", "act_result": "Record the result", "act_accept": "Save order",
    "act_answer": "Answered on the spot", "suggestions": "Suggested units", "no_actions": "No action in this status",
    "photo_of": "Photo",
    "f_times_accepted": "Accepted", "f_times_dispatched": "Dispatched", "f_times_responded": "Responded",
    "f_times_replied": "Replied", "f_times_closed": "Closed", "extension_pending": "pending",
    "approved": "approved", "refused": "refused",
    "unit_to_sign": "To sign", "unit_handling": "Handling", "upload_failed": "Photo upload failed",
    "revisit_list": "Orders due a callback", "ledger": "Callback recording ledger", "calling": "Ringing the seat…",
    "revisit_id": "Callback id",
    "seat_state": "Seat state", "act_ready": "Ready", "act_pause": "Pause", "act_wrapup_end": "End wrap-up",
    "act_wrapup_extend": "Extend wrap-up", "f_pause_reason": "Pause reason", "no_call": "Not on a call", "pause_next": "pause after call",
    "on_call": "On a call", "caller": "Caller", "history": "Caller history", "earlier_calls": "Earlier calls",
    "open_orders": "Orders", "order_form": "Order form", "draft_no": "Draft order no.", "answered_at": "Answered",
    "state_ready": "Ready", "state_reserved": "Assigning", "state_ringing": "Ringing", "state_talking": "Talking",
    "state_wrapup": "Wrap-up", "state_paused": "Paused", "state_offline": "Signed out",
    "state_unreachable": "Phone offline", "direction_in": "inbound", "direction_out": "outbound",
    "direction_callback": "callback",
    "act_login": "Sign in to seat", "act_logout": "Sign out of seat", "need_login": "Sign in to a seat first",
    "seat_free": "free", "state_for": "in this state for", "wrapup_left": "Wrap-up left",
    "my_callbacks": "My callbacks", "cb_mine": "mine", "cb_dial": "Call back", "cb_record": "Record result",
    "cb_dialled": "Ringing your seat…", "cb_none": "No missed call to return", "cb_status_reached": "Reached",
    "cb_status_unreachable": "Unreachable", "cb_status_not_needed": "Not needed", "cb_status_cancelled": "Cancelled",
    "cb_state_pending": "To call", "cb_state_calling": "Calling",
    "signin_title": "Sign in to the hotline", "signin_user": "Staff number", "signin_password": "Password",
    "signin_submit": "Sign in", "signin_wrong": "Wrong user or password",
    "signin_throttled": "Too many attempts, try again in {seconds} s",
    "signin_missing": "Enter your staff number and password",
    "users_title": "Users", "users_list": "Users", "users_edit": "Change user", "users_new": "Add a user",
    "users_read_only": "Auditors may read, not change", "h_user_id": "Staff no.", "h_name": "Name", "h_roles": "Roles",
    "h_unit_code": "Unit", "f_user_id": "Staff number", "f_name": "Name", "f_roles": "Roles",
    "f_unit_code": "Unit code (handling unit role only)", "f_disabled": "Disabled (signs them out at once)",
    "f_new_password": "New password (10 or more, not the staff number)",
    "f_first_password": "First password (10 or more, not the staff number)",
    "act_save": "Save", "act_edit": "Change", "act_reset_password": "Reset password", "act_add_user": "Add",
    "user_active": "active", "user_disabled": "disabled",
    "status_draft": "Draft", "status_pending_sign": "To sign for", "status_accepted": "To dispatch",
    "status_dispatched": "Dispatched", "status_handling": "Handling", "status_unit_returned": "Returned by unit",
    "status_replied": "To call back", "status_hanging": "Hanging", "status_closed": "Closed",
    "status_returned_up": "Returned to platform", "status_merged": "Merged",
    "step_accept": "Accepted", "step_edit": "Edited", "step_answer_directly": "Answered on the spot",
    "step_receive": "Received", "step_sign": "Signed for", "step_return_up": "Returned to platform",
    "step_dispatch": "Dispatched", "step_unit_sign": "Unit signed", "step_unit_return": "Unit returned",
    "step_redispatch": "Redispatched", "step_reject_return": "Return rejected", "step_respond": "Responded",
    "step_reply": "Unit replied", "step_revisit": "Callback", "step_hang": "Hung", "step_hanging_progress": "Hanging progress",
    "step_resume": "Resumed", "step_merge": "Merged", "step_not_counted": "Not counted",
    "step_follow_up": "Followed up", "step_urge": "Urged", "step_supervise": "Supervised",
    "step_ask_extension": "Extension asked", "step_decide_extension": "Extension decided",
    "deadline_dispatch": "Dispatch by", "deadline_response": "Respond by", "deadline_sign": "Sign by",
    "deadline_rehandle": "Re-handle by", "deadline_reply": "Reply by", "deadline_callback": "Call back by", "deadline_missed_call": "Return the call by",
    "deadline_close": "Close by", "deadline_property_phone": "Phone the property company by",
    "result_satisfied": "Satisfied", "result_basically_satisfied": "Basically satisfied",
    "result_unsatisfied": "Unsatisfied", "result_unreachable": "Unreachable",
    "urgency_normal": "Normal", "urgency_urgent": "Urgent",
    "channel_phone": "Phone", "channel_sms": "SMS", "channel_web": "Web", "channel_wechat": "WeChat mini-program",
    "channel_app": "App", "channel_platform": "City/district platform",
    "reason_same_person_same_complaint": "Same person, same complaint", "reason_litigation": "In litigation",
    "reason_against_policy": "Against policy", "reason_unreasonable": "Unreasonable request",
    "notice_urge": "Urge", "notice_supervise": "Supervise", "notice_follow_up": "Follow up",
    "notice_property_phone": "Phone the property company",
    "nav_recordings": "Recordings", "recordings_title": "Recordings", "rec_search": "Search", "rec_all": "All",
    "rec_from": "From", "rec_to": "To", "rec_min_seconds": "Min. seconds", "rec_max_seconds": "Max. seconds",
    "rec_outcome": "Call outcome", "rec_find": "Search", "rec_clear": "Clear", "rec_results": "Recordings",
    "rec_prev": "Previous", "rec_next": "Next", "rec_player": "Player", "rec_pick_one": "Pick a recording in the list",
    "rec_picked": "Recording", "rec_reason": "Reason", "rec_reason_note": "Note", "rec_play": "Play",
    "rec_download": "Download", "rec_hold_reason": "Hold reason", "rec_hold": "Legal hold (keep)", "rec_release": "Release hold",
    "rec_access_log": "Access log", "rec_held": "on hold", "rec_not_stored": "This recording is not stored (yet or any more)",
    "rec_need_reason": "Choose a reason first", "rec_need_note": "Write a note for “other”",
    "rec_need_hold_reason": "Write the reason for the hold", "rec_play_failed": "The recording cannot be played",
    "why_qa": "Quality check", "why_complaint": "Complaint check", "why_callback": "Callback check",
    "why_evidence": "Evidence", "why_other": "Other",
    "h_kind": "Kind", "h_duration": "Duration", "h_outcome": "Outcome", "h_size": "File", "h_sha256": "SHA-256",
    "h_purge_after": "Kept until", "h_action": "Action", "h_source": "From address", "h_reason": "Reason",
    "kind_call": "Inbound", "kind_callback": "Callback",
    "rec_state_pending": "To convert", "rec_state_converting": "Converting", "rec_state_stored": "Stored",
    "rec_state_failed": "Failed", "rec_state_missing": "Missing", "rec_state_purged": "Purged",
    "access_play": "Play", "access_download": "Download", "access_purge": "Purged", "access_hold": "Hold",
    "access_release": "Release",
    "outcome_answered": "Answered", "outcome_abandoned": "Abandoned", "outcome_timeout": "Queue timeout",
    "outcome_no_seat": "No seat", "outcome_lost": "Lost", "outcome_kept_place": "Kept place",
    "nav_qa": "QA", "nav_qa_mine": "My QA", "nav_qa_supervise": "QA supervision", "qa_title": "QA review",
    "qa_mine_title": "My QA results", "qa_supervise_title": "QA supervision", "h_sample": "Sample",
    "h_reasons": "Why sampled", "h_at": "At", "h_item": "Item", "h_score": "Score", "h_red_lines": "Red lines",
    "h_amend_reason": "Amended because", "h_appeal": "Appeal", "h_survey": "Survey", "h_average": "Average",
    "h_reviews": "Reviews", "h_team": "Team", "h_count": "Count", "h_lost_points": "Points lost",
    "h_scores": "Scores by reviewer", "h_spread": "Spread", "qa_review": "Review",
    "qa_pick_sample": "Claim or open a sample from the queue",
    "qa_wave_hint": "Click the waveform to mark that moment", "qa_mark_at": "At (seconds)", "qa_mark_item": "Item",
    "qa_no_item": "(none)", "qa_mark_comment": "Comment", "qa_add_mark": "Add mark", "qa_form": "Form",
    "qa_live_score": "Score so far", "qa_overall_comment": "Overall comment", "qa_submit": "Submit grade",
    "qa_queue": "Queue", "qa_claim": "Claim", "qa_open": "Open", "qa_calibration": "calibration",
    "qa_state_open": "Open", "qa_state_claimed": "Claimed", "qa_state_reviewed": "Reviewed",
    "qa_survey_1": "Satisfied", "qa_survey_2": "Basically satisfied", "qa_survey_3": "Unsatisfied",
    "qa_no_recording": "No recording", "qa_pick_form": "Choose a form", "qa_item_comment": "Comment", "qa_na": "N/A",
    "qa_red_line": "Red line", "qa_red_line_failed": "Red line crossed",
    "qa_score_none": "Every item is N/A: no score", "qa_reason": "Why sampled", "qa_reason_random": "Random",
    "qa_reason_minimum": "Minimum per agent", "qa_reason_unsatisfied": "Rated unsatisfied",
    "qa_reason_complaint": "Complaint", "qa_reason_overdue": "Overdue order", "qa_reason_returned": "Returned order",
    "qa_reason_short": "Very short", "qa_reason_long": "Very long", "qa_reason_calibration": "Calibration",
    "qa_appeal": "Appeal", "qa_appeal_none": "Not appealed", "qa_appeal_pending": "Pending",
    "qa_appeal_upheld": "Grade upheld", "qa_appeal_overturned": "Overturned", "qa_appeal_reason": "Why you appeal",
    "qa_need_reason": "Give a reason", "qa_average": "Average", "qa_red_line_count": "Red lines",
    "qa_my_results": "Results", "qa_detail": "Grade by item", "qa_decision_note": "Decision note",
    "qa_plan": "Sampling plan", "qa_seed": "Seed", "qa_share": "Share (%)", "qa_minimum": "Minimum per agent",
    "qa_show_plan": "Show", "qa_make_plan": "Make plan", "qa_need_day": "Choose a day",
    "qa_no_plan": "No plan for that day yet", "qa_appeals": "Appeals to decide", "qa_decide": "Decide",
    "qa_uphold": "Uphold the grade", "qa_overturn": "Overturn (regrade)",
    "qa_calibration_spread": "Calibration spread", "qa_spread": "Spread", "qa_figures": "QA figures",
    "qa_by_agent": "By agent", "qa_by_team": "By team", "qa_common_errors": "Most common errors",
    "qa_totals": "Totals", "qa_order_quality": "Work-order quality", "qa_satisfaction": "Satisfaction",
    "qa_rated": "Rated", "qa_satisfied": "Satisfied", "qa_basically_satisfied": "Basically satisfied",
    "qa_unsatisfied": "Unsatisfied", "qa_rate": "Satisfaction rate", "qa_source_survey": "Post-call survey",
    "qa_source_callback": "Callback survey",
    "qa_amend": "Amend grade", "qa_amend_reason": "Why amended", "qa_amend_submit": "Submit amendment",
    "qa_amend_cancel": "Cancel amendment", "qa_need_amend_reason": "Say why the grade is amended",
    "qa_versions": "Grade history", "h_version": "Version"
  }
};

let LANG = localStorage.getItem("hotline.lang") || "zh-CN";
const langHooks = [];

function t(key, values) {
  let text = (TEXTS[LANG] && TEXTS[LANG][key]) || TEXTS["zh-CN"][key] || key;
  for (const [name, value] of Object.entries(values || {})) text = text.replace(`{${name}}`, value);
  return text;
}
// A label the API sends in Chinese, with an English text of our own when there is one.
function label(kind, code, chinese) {
  if (code === null || code === undefined || code === "") return "–";
  const key = `${kind}_${code}`;
  if (LANG === "en" && TEXTS.en[key]) return TEXTS.en[key];
  return chinese || TEXTS["zh-CN"][key] || code;
}
function applyTexts() {
  document.documentElement.lang = LANG;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
}

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}
function i18nEl(tag, key, cls) {
  const node = el(tag, cls, t(key));
  node.dataset.i18n = key;
  return node;
}
function link(href, text) {
  const a = el("a", "", text);
  a.href = href;
  return a;
}
function pathPart(index) { return decodeURIComponent(location.pathname.split("/")[index] || ""); }

// -- the signed-in user and the header ------------------------------------------------

// The session (session.js): {user: {id, name, roles, unit}, pages}; the server takes the
// actor of every change from it, so no page sends one.
let SESSION = null;
async function signedIn() {
  if (!SESSION) SESSION = await window.hotlineSession;
  return SESSION;
}
function myId() { return SESSION && SESSION.user ? SESSION.user.id : ""; }
function mayOpen(path) { return Boolean(SESSION && (SESSION.pages || []).some((page) => page.path === path)); }

// The language switch is in the session bar; it tells the page with a "hotline:lang" event.
function initHeader(onLang) {
  if (onLang) langHooks.push(onLang);
  applyTexts();
}
window.addEventListener("hotline:lang", (event) => {
  LANG = event.detail.lang;
  applyTexts();
  for (const hook of langHooks) hook();
});

// -- the JSON API ---------------------------------------------------------------------

// Returns {ok, status, data, message}; never throws, so a form keeps what was typed.
async function api(method, path, body) {
  const options = { method, headers: {} };
  if (method !== "GET") {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body || {});
  }
  return send(path, options);
}
async function send(path, options) {
  let response;
  try {
    response = await fetch(path, options);
  } catch (err) {
    return { ok: false, status: 0, data: null, message: t("network_error") };
  }
  let data = null;
  try { data = await response.json(); } catch (err) { data = null; }
  const message = response.ok ? "" : (data && (data.message || data.error)) || `${response.status} ${response.statusText}`;
  return { ok: response.ok, status: response.status, data, message };
}
async function uploadPhoto(number, file) {
  const form = new FormData();
  form.append("file", file, file.name);
  return send(`/api/orders/${encodeURIComponent(number)}/attachments`, { method: "POST", body: form });
}

let configCache = null;
async function orderConfig() {
  if (configCache) return configCache;
  const result = await api("GET", "/api/orders/config");
  if (!result.ok) return null;
  configCache = result.data;
  configCache.categoryIndex = indexCategories(configCache.categories);
  return configCache;
}
function indexCategories(trees) {
  const index = {};
  const walk = (nodes, path) => {
    for (const node of nodes) {
      index[node.code] = { ...node, path: [...path, node] };
      walk(node.children || [], [...path, node]);
    }
  };
  for (const roots of Object.values(trees || {})) walk(roots, []);
  return index;
}
function categoryLabel(code) {
  const entry = configCache && configCache.categoryIndex[code];
  if (!entry) return code || "–";
  return entry.path.map((c) => (LANG === "en" && c.label_en ? c.label_en : c.label)).join(" / ");
}
function unitName(code) {
  const unit = configCache && configCache.units.find((u) => u.code === code);
  return unit ? unit.name : code || "–";
}

// -- times and deadlines --------------------------------------------------------------

function duration(seconds) {
  const s = Math.floor(Math.abs(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  const clock = `${h}:${String(m).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
  return h >= 48 ? `${Math.floor(h / 24)}d ${h % 24}h` : clock;
}
function when(iso) {
  if (!iso) return "–";
  return new Date(iso).toLocaleString(LANG === "en" ? "en-GB" : "zh-CN", { hour12: false });
}
function deadlineCell(deadline) {
  const cell = el("td", "deadline");
  if (!deadline) { cell.textContent = "–"; return cell; }
  cell.dataset.due = deadline.due_at;
  cell.dataset.name = deadline.name;
  cell.dataset.label = deadline.label;
  renderDeadline(cell);
  return cell;
}
function renderDeadline(cell) {
  const left = (Date.parse(cell.dataset.due) - Date.now()) / 1000;
  const name = label("deadline", cell.dataset.name, cell.dataset.label);
  cell.textContent = left >= 0 ? `${name} · ${t("left")} ${duration(left)}` : `${name} · ${t("overdue_by")} ${duration(left)}`;
  cell.classList.toggle("late", left < 0);
}
function tickDeadlines() { for (const cell of document.querySelectorAll("[data-due]")) renderDeadline(cell); }
setInterval(tickDeadlines, 1000);

// -- order rows -----------------------------------------------------------------------

function badges(order) {
  const box = el("span", "badges");
  if (order.escalation === "urge" || order.escalation === "supervise") {
    box.append(el("span", `badge ${order.escalation}`, t(`badge_${order.escalation}`)));
  }
  if (order.duplicate_of) {
    const dup = el("a", "badge duplicate", t("badge_duplicate"));
    dup.href = `/orders/${encodeURIComponent(order.duplicate_of)}`;
    dup.title = order.duplicate_of;
    box.append(dup);
  }
  if (order.urgency === "urgent") box.append(el("span", "badge urgent", t("badge_urgent")));
  if (order.not_counted) box.append(el("span", "badge", t("badge_not_counted")));
  return box;
}
function orderLink(number) { return link(`/orders/${encodeURIComponent(number)}`, number); }
function callerText(order) { return `${order.caller_number}${order.caller_name ? " " + order.caller_name : ""}`; }
function orderRow(order) {
  const row = el("tr", "order-row");
  const number = el("td");
  number.append(orderLink(order.number), badges(order));
  row.append(
    number, el("td", "", order.line), el("td", "", categoryLabel(order.category)), el("td", "", order.address || "–"),
    el("td", `status ${order.status}`, label("status", order.status, order.status_label)), deadlineCell(order.deadline),
  );
  row.addEventListener("click", (event) => {
    if (event.target.closest("a")) return;
    location.href = `/orders/${encodeURIComponent(order.number)}`;
  });
  return row;
}
function table(headKeys, rows) {
  const box = el("table", "list");
  const head = el("tr");
  for (const key of headKeys) head.append(i18nEl("th", key));
  const thead = el("thead");
  thead.append(head);
  const body = el("tbody");
  body.append(...rows);
  box.append(thead, body);
  if (!rows.length) {
    const empty = el("tr");
    const cell = i18nEl("td", "empty", "empty");
    cell.colSpan = headKeys.length;
    empty.append(cell);
    body.append(empty);
  }
  return box;
}

// -- action forms ---------------------------------------------------------------------

let fieldCount = 0;
// spec: {i18n, fields: [{name, i18n, type, options, required, value}], submit(values) -> result, done(result)}
function actionForm(spec) {
  const form = el("form", "action");
  const title = i18nEl("h3", spec.i18n);
  form.append(title);
  const inputs = {};
  for (const field of spec.fields || []) {
    const [wrap, input] = fieldInput(field);
    inputs[field.name] = input;
    form.append(wrap);
  }
  const button = i18nEl("button", spec.button || spec.i18n);
  button.type = "submit";
  const error = el("span", "error");
  error.setAttribute("role", "alert");
  form.append(button, error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await runAction(form, button, error, spec, inputs);
  });
  form.inputs = inputs;
  return form;
}
async function runAction(form, button, error, spec, inputs) {
  error.textContent = "";
  error.className = "error";
  button.disabled = true;
  const values = {};
  for (const [name, input] of Object.entries(inputs)) values[name] = inputValue(input);
  const result = await spec.submit(values);
  button.disabled = false;
  if (!result.ok) { error.textContent = result.message; return; }
  error.className = "error ok";
  error.textContent = t("saved");
  form.reset();
  if (spec.done) spec.done(result);
}
function inputValue(input) {
  if (input.type === "checkbox") return input.checked;
  if (input.type === "file") return [...input.files];
  if (input.multiple) return [...input.selectedOptions].map((o) => o.value);
  return input.value.trim();
}
function fieldInput(field) {
  const id = `f${++fieldCount}`;
  const wrap = el("div", `field ${field.type || "text"}`);
  const caption = i18nEl("label", field.i18n);
  caption.htmlFor = id;
  let input;
  if (field.type === "textarea") input = el("textarea");
  else if (field.type === "select") input = selectInput(field);
  else {
    input = el("input");
    input.type = field.type || "text";
    if (field.accept) input.accept = field.accept;
    if (field.multiple) input.multiple = true;
  }
  input.id = id;
  input.name = field.name;
  if (field.required) input.required = true;
  if (field.value !== undefined) {
    if (input.type === "checkbox") input.checked = Boolean(field.value);
    else input.value = field.value;
  }
  if (field.type === "checkbox") wrap.append(input, caption);
  else wrap.append(caption, input);
  return [wrap, input];
}
function selectInput(field) {
  const input = el("select");
  if (field.multiple) input.multiple = true;
  else if (!field.noBlank) input.append(el("option", "", `— ${t("f_pick")} —`));
  if (!field.multiple && !field.noBlank) input.options[0].value = "";
  for (const [value, text] of field.options || []) {
    const option = el("option", "", text);
    option.value = value;
    input.append(option);
  }
  return input;
}
function fillCategories(select, line) {
  const current = select.value;
  select.replaceChildren(el("option", "", `— ${t("f_pick")} —`));
  select.options[0].value = "";
  const walk = (nodes, depth) => {
    for (const node of nodes) {
      const name = LANG === "en" && node.label_en ? node.label_en : node.label;
      const option = el("option", "", `${"\u3000".repeat(depth)}${name}${node.urgent ? " ⚠" : ""}`);
      option.value = node.code;
      select.append(option);
      walk(node.children || [], depth + 1);
    }
  };
  walk((configCache && configCache.categories[line]) || [], 0);
  select.value = current;
}
function mapOptions(kind, mapping) {
  return Object.entries(mapping || {}).map(([code, zh]) => [code, label(kind, code, zh)]);
}
function unitOptions(line) {
  const units = ((configCache && configCache.units) || []).filter(
    (u) => u.active && (!line || !u.lines.length || u.lines.includes(line)),
  );
  return units.map((u) => [u.code, `${u.name}（${u.kind_label}）`]);
}

// -- live events ----------------------------------------------------------------------

function connectLive(handlers) {
  let retry = 1000;
  const state = document.getElementById("conn-state");
  const open = () => {
    const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
    ws.onopen = () => { retry = 1000; if (state) { state.dataset.i18n = "live"; state.textContent = t("live"); } };
    ws.onmessage = (message) => {
      const event = JSON.parse(message.data);
      const handler = handlers[event.type];
      if (handler) handler(event);
    };
    ws.onclose = () => {
      if (state) { state.dataset.i18n = "reconnecting"; state.textContent = t("reconnecting"); }
      setTimeout(open, retry);
      retry = Math.min(retry * 2, 15000);
    };
  };
  open();
}
// Many events in a burst cause one reload.
function debounce(fn, ms) {
  let timer = null;
  return () => { clearTimeout(timer); timer = setTimeout(fn, ms); };
}
