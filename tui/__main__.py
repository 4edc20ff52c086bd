from distscope.tui.cli import run

run()
