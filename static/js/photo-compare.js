// The comparison slider: the later photo lies over the earlier one and is clipped
// (CSS clip-path) from the left up to the divider, moved with the range input or by
// dragging across the photos.
(() => {
  const slider = document.getElementById("compare-slider");
  const split = document.getElementById("compare-split");
  if (!slider || !split) return;
  const update = () => {
    slider.style.setProperty("--split", `${split.value}%`);
  };
  let dragging = false;
  const follow = (event) => {
    const box = slider.getBoundingClientRect();
    const share = Math.max(0, Math.min(1, (event.clientX - box.left) / box.width));
    split.value = String(Math.round(share * 100));
    update();
  };
  split.addEventListener("input", update);
  slider.addEventListener("pointerdown", (event) => {
    dragging = true;
    slider.setPointerCapture(event.pointerId);
    follow(event);
  });
  slider.addEventListener("pointermove", (event) => {
    if (dragging) follow(event);
  });
  const stop = () => { dragging = false; };
  slider.addEventListener("pointerup", stop);
  slider.addEventListener("pointercancel", stop);
  update();
})();
