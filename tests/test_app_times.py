"""The time-per-app table printed at the end of a run (tests/app_times.py)."""

from tests.app_times import AppTime, app_of, table


def test_a_test_belongs_to_its_app_the_browser_or_the_project():
    assert app_of("gmassist/voice/tests/test_api.py::test_x[a-b]") == "voice"
    assert app_of("gmassist/lib/tests/test_env.py::test_y") == "lib"
    assert app_of("tests/browser/test_talent.py::test_z") == "browser"
    assert app_of("tests/test_migrations.py::test_m") == "tests"


def test_the_table_puts_the_slowest_app_first_and_adds_up():
    lines = table({"voice": AppTime(3, 2.0, 1.5), "talent": AppTime(2, 6.0, 5.3)})
    assert lines == [
        "app           tests   wall s    cpu s  share",
        "talent            2      6.0      5.3    75%",
        "voice             3      2.0      1.5    25%",
        "total             5      8.0      6.8",
    ]
