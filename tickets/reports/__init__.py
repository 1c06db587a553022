"""Reports and the monthly contract assessment (考核).

Statistics of any period over calls, seats, agents and work orders, hot topics, the
contract file (metrics, targets, deductions, a 100-point score and the monthly fee), the
assessment with the evidence behind every deduction, and the Excel workbook. Call figures
come from ``acd.figures.compute_figures`` over the stored call rows — the wallboard's own
computation — so a report and the wallboard agree to the call.
"""
