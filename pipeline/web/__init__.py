"""The web console (`ost serve`): a second face over the same functions as the command line."""
