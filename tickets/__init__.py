"""The core database: tables and migrations, call records, seats, work orders (工单)."""
