// Check-in by the phone's camera: the QR code on a ticket holds the ticket page's address,
// which the form sends as it is; the server checks its signature. Typing the short code
// works without this script.
import QrScanner from "../vendor/qr-scanner/qr-scanner.min.js";

const form = document.querySelector("[data-checkin-form]");
const KEEP = "checkin-keep-scanning";

async function setUp() {
    if (!form || !navigator.mediaDevices || !(await QrScanner.hasCamera())) {
        return;
    }
    const start = form.querySelector("[data-scan-start]");
    const stop = form.querySelector("[data-scan-stop]");
    const box = form.querySelector("[data-scan-box]");
    const video = form.querySelector("[data-scan-video]");
    const field = form.querySelector("[data-scan-field]");
    const status = form.querySelector("[data-scan-status]");
    let scanner = null;

    function close() {
        if (scanner) {
            scanner.stop();
            scanner.destroy();
            scanner = null;
        }
        box.hidden = true;
        start.hidden = false;
    }

    async function open() {
        start.hidden = true;
        box.hidden = false;
        status.textContent = status.dataset.looking;
        scanner = new QrScanner(
            video,
            (result) => {
                const text = (result && result.data) || "";
                if (!text) return;
                close();
                field.value = text;
                sessionStorage.setItem(KEEP, "1");
                status.textContent = status.dataset.sending;
                form.submit();
            },
            { returnDetailedScanResult: true, highlightScanRegion: true, preferredCamera: "environment" },
        );
        try {
            await scanner.start();
        } catch (error) {
            close();
            sessionStorage.removeItem(KEEP);
            status.textContent = status.dataset.noCamera;
        }
    }

    start.hidden = false;
    start.addEventListener("click", open);
    stop.addEventListener("click", () => {
        sessionStorage.removeItem(KEEP);
        close();
    });
    // After a scan the page reloads with the result; the guide goes on with the next ticket.
    if (sessionStorage.getItem(KEEP)) {
        open();
    }
}

setUp();
