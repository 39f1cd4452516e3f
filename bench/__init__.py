"""`make bench`: Taskboard's performance report, measured against two reference apps in one run."""
