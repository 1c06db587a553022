"""The core database: tables and migrations, call records, seats, work orders (工单), agents
and their sessions, callback tasks, the audit log."""
