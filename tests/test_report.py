"""The report a scientist would send: built by `snakemake --report`, opened in a real
headless Chromium (Debian's, driven by Selenium through Debian's ChromeDriver).

tests/chromium.py starts the browser (and installs it where it can).
"""

import pytest
from chromium import browser, wait_for
from conftest import snakemake

from actstudy.figures.catalog import TARGETS

pytestmark = [pytest.mark.pipeline, pytest.mark.slow]


@pytest.fixture(scope="module")
def report(pipeline_workdir):
    path = pipeline_workdir / "report.html"
    snakemake(pipeline_workdir, "--report", str(path))
    return path


def test_report_holds_the_scorecard_and_every_captioned_target(report):
    html = report.read_text(errors="replace")
    assert "0. Did it reproduce?" in html and "6. Appendix A" in html
    for name in ("scorecard.html", "scorecard.png", "fig3_4.png", "fig6_2.png", "table5_2.csv"):
        assert name in html, name
    captions = sorted(p.stem for p in (report.parent / ".snakemake/actstudy/captions").glob("*.rst"))
    assert captions == sorted(TARGETS), captions  # every target's caption page, written while planning


def _open(driver, report, category):
    from selenium.webdriver.common.by import By

    driver.get(report.as_uri())
    wait_for(lambda: category in driver.find_element(By.TAG_NAME, "body").text)
    driver.find_element(By.XPATH, f"//*[normalize-space(text())='{category}']").click()


def _show(driver, row_text):
    """Click the eye of the result row whose cells contain ``row_text``."""
    from selenium.webdriver.common.by import By

    row = wait_for(lambda: driver.find_elements(By.XPATH, f"//tr[td[normalize-space(text())='{row_text}']]"))[0]
    row.find_element(By.XPATH, ".//a[@iconname='eye']").click()


def _rendered_images(driver):
    from selenium.webdriver.common.by import By

    return [
        i
        for i in driver.find_elements(By.TAG_NAME, "img")
        if i.is_displayed() and driver.execute_script("return arguments[0].naturalWidth", i) > 100
    ]


def test_report_opens_in_a_browser_with_the_scorecard_first_and_figures_rendered(report):
    from selenium.webdriver.common.by import By

    driver = browser()
    try:
        driver.get(report.as_uri())
        landing = wait_for(lambda: driver.find_element(By.TAG_NAME, "body").text)
        # the provenance block (the report's text of bold words is not in .text: match around it)
        assert "of this run's scorecard (results/provenance.json)" in landing, landing[:2000]
        assert "git commit" in landing and "results: computed by this workflow here" in landing, landing[:2000]
        _open(driver, report, "0. Did it reproduce?")
        # the overview figure leads the section, and renders
        first = wait_for(lambda: driver.find_elements(By.XPATH, "//tr[td]"))[0]
        assert "at a glance" in first.text, first.text
        _show(driver, "at a glance")
        assert wait_for(lambda: _rendered_images(driver)), "the scorecard figure did not render"
        _open(driver, report, "0. Did it reproduce?")
        _show(driver, "page")
        frame = wait_for(lambda: driver.find_elements(By.TAG_NAME, "iframe"))[0]
        driver.switch_to.frame(frame)
        body = wait_for(lambda: driver.find_element(By.TAG_NAME, "body").text)
        assert "numbers of the study" in body and "Qualitative claims" in body
        headers = [th.text for th in driver.find_elements(By.TAG_NAME, "th")]
        assert "z" in headers and "difference" in headers and "inconsistent" in headers, headers
        driver.switch_to.default_content()

        _open(driver, report, "2. Chapter 3: training and generalisation")
        _show(driver, "fig3_4")
        assert wait_for(lambda: _rendered_images(driver)), "fig3_4 did not render"
        severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert not severe, severe
    finally:
        driver.quit()
