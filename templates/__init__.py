"""What ships with mentorflow besides code: email/ (the templates of every message in nl, en
and nb) and workbook/ (the empty programme workbooks). Installed as `mentorflow_templates`."""
