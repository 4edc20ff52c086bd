from distscope.tui.safetext import visible


def test_printable_text_is_unchanged():
    assert visible("python/lib/ünïcode ✓.py") == "python/lib/ünïcode ✓.py"


def test_escape_sequences_become_visible():
    osc52 = "clip\x1b]52;c;Y3VybA==\x07"
    assert visible(osc52) == "clip\\x1b]52;c;Y3VybA==\\x07"
    assert "\x1b" not in visible("\x1b[2J\x9b31m\x7f")
    assert visible("a\u202eb") == "a\\u202eb"  # right-to-left override
    assert visible("a\udcffb") == "a\\xffb"  # undecodable byte


def test_keep_allows_line_breaks():
    assert visible("line 1\nline\t2\x1b", keep="\n\t") == "line 1\nline\t2\\x1b"
    assert visible("a\nb") == "a\\x0ab"
