"""Screenshots of the five journeys of issue 13, in Kazakh and Russian, at 1280 px and 375 px.

Not a test: a picture of what a person sees, for the notes. Run it against a server with the demo
data (`make run`, or `python -m qyzmet demo load` then `runserver`) on the demo day:

    .venv/bin/python docs/screens/make_screens.py --base http://127.0.0.1:8000 [--label before]

It uses Playwright with Debian's Chromium (/usr/bin/chromium), the demo logins (password `demo`)
and the applicant's key file from var/demo-keys/, and writes PNG files named
`[LABEL-]<journey>-<step>.<language>.<width>.png` into docs/screens/ (the view a person has on
opening the page, or from a section down, not the whole page; each reduced to 256 colours, so that
the files stay small). The licence with its QR code
is rendered from its PDF with pdftoppm (Debian's poppler-utils), once per run: the document is
the same in every language of the site.

The journeys:
1. catalogue: the public catalogue, and a regulation's page with its process diagram;
2. applicant: the service page with the documents to attach, the request form's documents (one
   upload per listed document) after signing in with the password, the request as a document
   before signing, then the status page after signing it with the EDS key file in the browser;
3. office: the head's inbox filtered to her role, the task page of an application whose result she
   signs, its case file (the request with the form's labels, the uploaded documents), and the
   result she signs shown as a document with the key file form;
4. register: the licence PDF with its QR code, and the public verification the code leads to;
5. psc: a Population Service Centre operator's queue and the acceptance form.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
]
WIDTHS = {1280: 800, 375: 812}  # width: height of the view
LANGUAGES = ("kk", "ru")
LICENCE = "almaty-2015-2-279/medical-licence"
PASSWORD = "demo"  # noqa: S105 (the demo logins' password)
PDFTOPPM = "/usr/bin/pdftoppm"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _name(label: str, journey: str, language: str, width: int) -> str:
    return f"{label + '-' if label else ''}{journey}.{language}.{width}.png"


class Shots:
    def __init__(self, base: str, out: Path, label: str):
        self.base, self.out, self.label = base.rstrip("/"), out, label
        self.written: list[Path] = []
        self.licence = ""
        self.filed = ""  # the number of the request the applicant journey filed, for the office's

    def take(self, page, journey: str, language: str, width: int, anchor: str | None = None) -> None:
        page.wait_for_load_state("networkidle")
        if anchor:
            page.locator(anchor).first.evaluate("e => e.scrollIntoView({block: 'start'})")
            page.evaluate("window.scrollBy(0, -8)")
        else:
            page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(300)
        path = self.out / _name(self.label, journey, language, width)
        page.screenshot(path=str(path))
        _reduce(path)
        self.written.append(path)


def _reduce(path: Path) -> None:
    """256 colours are enough for a page of text; a screenshot's file shrinks to about half."""
    with Image.open(path) as image:
        reduced = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    reduced.save(path, optimize=True)


def _scan(path: Path, number: int) -> None:
    """A scanned page, as a person attaches one: an image the officer's case file shows inline."""
    page = Image.new("L", (620, 877), 250)
    draw = ImageDraw.Draw(page)
    draw.text((60, 70), f"Құжат / Документ № {number}", fill=20, font=ImageFont.truetype(FONT, 30))
    for y in range(160, 760, 34):
        draw.line((60, y, 560 - (y * 7) % 180, y), fill=120, width=6)
    page.save(path, optimize=True)


def _context(browser, base: str, language: str, width: int):
    context = browser.new_context(viewport={"width": width, "height": WIDTHS[width]}, locale="en-US")
    context.set_default_timeout(30_000)
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    return context


def _staff_login(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()


def _applicant() -> tuple[str, Path]:
    # the applicants' keys are named by their IIN; the heads' keys by their login
    keys = sorted(k for k in (ROOT / "var" / "demo-keys").glob("*-sign.p12") if k.name[:12].isdigit())
    if not keys:
        sys.exit("no key files in var/demo-keys/: load the demo data first (python -m qyzmet demo load)")
    key = keys[-1]
    return key.name.split("-")[0], key


def catalogue(shots: Shots, page, language: str, width: int) -> None:
    page.goto(f"{shots.base}/")
    shots.take(page, "1-catalogue-1-list", language, width)
    page.goto(f"{shots.base}/regulations/{LICENCE}/")
    page.wait_for_selector("figure.diagram[data-drawn=true]")
    shots.take(page, "1-catalogue-2-regulation-diagram", language, width, anchor="section.flow h2")


def applicant(shots: Shots, page, language: str, width: int) -> None:
    iin, key = _applicant()
    page.goto(f"{shots.base}/portal/login/")
    page.fill("#id_username", iin)
    page.fill("#id_password", PASSWORD)
    page.click("#password-login button[type=submit]")
    page.wait_for_url(re.compile(r"/portal/cabinet/"))
    page.goto(f"{shots.base}/portal/services/{LICENCE}/")
    shots.take(page, "2-applicant-0-service-documents", language, width, anchor="#documents h2")
    page.locator("button[name=apply]").first.click()
    page.wait_for_url(re.compile(r"/portal/drafts/\d+/$"))
    for field, value in (("#id_subtypes", "Стоматология"), ("#id_phone", "+7 701 234 56 78")):
        if page.locator(field).count():
            page.fill(field, value)
    with tempfile.TemporaryDirectory() as tmp:
        # one scan per listed document, named as a person names the files she attaches
        for number, upload in enumerate(page.locator("main fieldset.document input[type=file]").all(), 1):
            scan = Path(tmp) / f"scan-{number}.png"
            _scan(scan, number)
            upload.set_input_files(str(scan))
        shots.take(
            page, "2-applicant-1-request-form", language, width, anchor="#request-form fieldset.document"
        )
        page.click("button[name=continue]")
        page.wait_for_url(re.compile(r"/check/$"))
    page.click("#pay")
    page.wait_for_url(re.compile(r"/sign/$"))
    shots.take(page, "2-applicant-1b-what-is-signed", language, width, anchor="#request-preview")
    page.set_input_files("#sign-file", str(key))
    page.fill("#sign-password", PASSWORD)
    page.click("#sign-submit")
    page.wait_for_url(re.compile(r"/portal/cabinet/applications/QZ-"))
    shots.take(page, "2-applicant-2-status-after-signing", language, width)
    shots.filed = page.locator("#application-number").inner_text().strip()


def office(shots: Shots, page, language: str, width: int) -> None:
    """The head of the Almaty office: her inbox narrowed to the steps of her role, where she signs
    results; the first of them, its case file and what her key would sign (nothing is signed, so
    that every language and width finds the same application waiting)."""
    _staff_login(page, shots.base, "aed.head")
    page.goto(f"{shots.base}/office/")
    page.locator("main p.roles a", has=page.locator("code", has_text=re.compile(r"^head$"))).click()
    page.wait_for_url(re.compile(r"role=head"))
    shots.take(page, "3-office-1-inbox", language, width)
    page.locator("main a[href^='/office/applications/QZ-']").first.click()
    page.wait_for_url(re.compile(r"/office/applications/QZ-"))
    shots.take(page, "3-office-2-task-page", language, width)
    shots.take(page, "3-office-3-case-file", language, width, anchor="#request-form")
    shots.take(page, "3-office-4-head-signing-preview", language, width, anchor="#decision-preview")
    if shots.filed:  # the request just filed waits at the reception step, a role she holds too
        page.goto(f"{shots.base}/office/applications/{shots.filed}/")
        try:
            page.locator("#attachments li[id^=attachment-] summary").first.click(timeout=10_000)
            page.locator("#attachments details[open] img").first.wait_for(timeout=10_000)
        except PlaywrightTimeout:
            print(f"3-office-5-uploaded-document {language} {width}: no uploaded document to show; skipped")
            return
        shots.take(page, "3-office-5-uploaded-document", language, width, anchor="#attachments")


def licence_pdf(shots: Shots, page) -> str:
    """The first page of a licence the Almaty office issued, with its QR code, as its holder
    prints it (its signed PDF is made on the first download, here by the office's head);
    the licence's number, whose public verification the register journey shows."""
    _staff_login(page, shots.base, "aed.head")
    page.goto(f"{shots.base}/office/register/")
    page.locator("main a[href^='/office/register/LIC-']").first.click()
    number = page.url.rstrip("/").rsplit("/", 1)[-1]
    application = page.locator("main a[href^='/office/applications/QZ-']").first.get_attribute("href")
    answer = page.request.get(f"{shots.base}{application}document.pdf")
    if not answer.ok:
        raise RuntimeError(f"{application}document.pdf: {answer.status}")
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "licence.pdf"
        pdf.write_bytes(answer.body())
        stem = shots.out / f"{shots.label + '-' if shots.label else ''}4-register-1-licence-pdf-with-qr"
        subprocess.run(  # noqa: S603
            [PDFTOPPM, "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
            check=True,
        )
    _reduce(stem.with_suffix(".png"))
    shots.written.append(stem.with_suffix(".png"))
    return number


def register(shots: Shots, page, language: str, width: int) -> None:
    page.goto(f"{shots.base}/register/verify/{shots.licence}/")
    shots.take(page, "4-register-2-verification", language, width)


def psc(shots: Shots, page, language: str, width: int) -> None:
    _staff_login(page, shots.base, "psc-almaty-1.operator")
    page.goto(f"{shots.base}/psc/")
    queue = page.locator("main a[href^='/psc/']").first.get_attribute("href")
    page.goto(f"{shots.base}{queue}")
    shots.take(page, "5-psc-1-queue", language, width)
    page.goto(f"{shots.base}{queue.rstrip('/')}/accept/")
    shots.take(page, "5-psc-2-acceptance", language, width)


JOURNEYS = (catalogue, applicant, office, register, psc)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--label", default="", help="a prefix of the file names, e.g. before or after")
    parser.add_argument("--out", default=str(HERE))
    parser.add_argument(
        "--only", nargs="*", choices=[j.__name__ for j in JOURNEYS], help="these journeys alone"
    )
    args = parser.parse_args()
    journeys = [j for j in JOURNEYS if not args.only or j.__name__ in args.only]
    shots = Shots(args.base, Path(args.out), args.label)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            context = _context(browser, shots.base, "kk", 1280)
            shots.licence = licence_pdf(shots, context.new_page())
            context.close()
            for language in LANGUAGES:
                for width in WIDTHS:
                    for journey in journeys:
                        context = _context(browser, shots.base, language, width)
                        try:
                            journey(shots, context.new_page(), language, width)
                        except Exception as error:  # one journey's failure is reported, the rest go on
                            print(f"{journey.__name__} {language} {width}: {error}", file=sys.stderr)
                        finally:
                            context.close()
        finally:
            browser.close()
    for path in shots.written:
        print(
            f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size // 1024} KB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
