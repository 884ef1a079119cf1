from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_shows_the_two_set_up_commands_first():
    readme = (ROOT / "README.md").read_text()
    run, test = readme.find("make run"), readme.find("make test")
    assert run != -1 and test != -1
    first_section = readme.split("\n## ", 2)
    assert "make run" in "".join(first_section[:2]) and "make test" in "".join(first_section[:2])


def test_ci_runs_make_test_and_nothing_cleverer():
    script = (ROOT / ".ci" / "run").read_text()
    assert "CI=true make test" in script
