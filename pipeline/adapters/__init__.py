"""The outside world: workbooks (.xlsx, Google Sheets, in memory), mail servers, locks."""
