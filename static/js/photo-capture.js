// The camera page: the tablet's back camera, the previous photo of the same area and
// angle as a see-through overlay, and "Take photo", which puts one JPEG frame into the
// form's file field and posts the form to the upload view (the same server pipeline as
// a chosen file). Without a camera the page is a plain upload form.
(() => {
  const form = document.getElementById("capture-form");
  if (!form) return;
  const camera = document.getElementById("capture-camera");
  const video = document.getElementById("capture-video");
  const ghost = document.getElementById("capture-ghost");
  const caption = document.getElementById("capture-ghost-caption");
  const opacity = document.getElementById("capture-opacity");
  const take = document.getElementById("capture-take");
  const status = document.getElementById("capture-status");
  const fileBlock = document.getElementById("capture-file");
  const upload = document.getElementById("capture-upload");
  const fileInput = form.elements.namedItem("file");
  const area = form.elements.namedItem("area");
  const angle = form.elements.namedItem("angle");
  const ghostsData = document.getElementById("capture-ghosts");
  const ghosts = ghostsData ? JSON.parse(ghostsData.textContent) : {};
  let stream = null;

  const say = (text) => {
    status.textContent = text;
    status.hidden = !text;
  };

  // The same key as the server makes (views.ghost_key): spaces collapsed, lower case.
  const key = () => `${area.value.normalize("NFC").trim().split(/\s+/).join(" ").toLowerCase()}|${angle.value}`;

  const showGhost = () => {
    const previous = ghosts[key()];
    if (!previous) {
      ghost.hidden = true;
      ghost.removeAttribute("src");
      caption.textContent = area.value.trim() ? caption.dataset.none : "";
      return;
    }
    if (ghost.getAttribute("src") !== previous.url) ghost.src = previous.url;
    ghost.hidden = false;
    caption.textContent = caption.dataset.template.replace("{description}", previous.description);
  };
  const setOpacity = () => {
    ghost.style.opacity = String(Number(opacity.value) / 100);
  };

  const cameraReady = () => {
    camera.hidden = false;
    form.classList.add("has-camera");
    fileBlock.hidden = true;
    upload.disabled = true; // Enter in a field must not post the form without a photo
    say("");
    showGhost();
    take.scrollIntoView({ block: "nearest" });
  };
  const cameraFailed = () => {
    camera.hidden = true;
    form.classList.remove("has-camera");
    fileBlock.hidden = false;
    upload.disabled = false;
    say(status.dataset.unavailable);
  };

  const start = async () => {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      cameraFailed();
      return;
    }
    say(status.dataset.starting);
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment", width: { ideal: 1920 }, height: { ideal: 1440 } },
        audio: false,
      });
      video.srcObject = stream;
      await video.play();
      cameraReady();
    } catch (error) {
      stream = null;
      cameraFailed();
    }
  };

  take.addEventListener("click", () => {
    if (!area.value.trim()) {
      say(status.dataset.areaMissing);
      area.focus();
      return;
    }
    if (!video.videoWidth || !video.videoHeight) return;
    take.disabled = true;
    const canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    canvas.toBlob(
      (blob) => {
        if (!blob) {
          take.disabled = false;
          return;
        }
        const stamp = new Date().toISOString().replace(/[^0-9]/g, "").slice(0, 14);
        const transfer = new DataTransfer();
        transfer.items.add(new File([blob], `photo-${stamp}.jpg`, { type: "image/jpeg" }));
        fileInput.files = transfer.files;
        say(take.dataset.saving);
        form.submit();
      },
      "image/jpeg",
      0.92,
    );
  });

  area.addEventListener("input", showGhost);
  angle.addEventListener("change", showGhost);
  opacity.addEventListener("input", setOpacity);
  window.addEventListener("pagehide", () => {
    if (stream) stream.getTracks().forEach((track) => track.stop());
  });
  setOpacity();
  showGhost();
  start();
})();
