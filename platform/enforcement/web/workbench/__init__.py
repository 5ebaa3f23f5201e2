"""我的工作台: reminders, plans, tasks, schemes, inspections, hazards, rectification and re-inspection;
pages (list views + WorkbenchView, whose steps are in steps/) and the workbench API."""
