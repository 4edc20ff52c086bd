"""The diff of two distributions (``distscope diff`` and the app's Diff screen): the core, with
no Textual; the result types live in :mod:`distscope.tui.model.diff`."""
