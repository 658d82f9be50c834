// The signature box on the consent kiosk: finger, pen or mouse strokes, kept as
// coordinates in a hidden field (the server validates and stores them).
(() => {
  const canvas = document.getElementById("signature-pad");
  const field = document.getElementById("id_signature");
  if (!canvas || !field) return;
  const context = canvas.getContext("2d");
  const strokes = [];
  let current = null;

  const point = (event) => {
    const box = canvas.getBoundingClientRect();
    const x = ((event.clientX - box.left) / box.width) * canvas.width;
    const y = ((event.clientY - box.top) / box.height) * canvas.height;
    return [Math.max(0, Math.min(canvas.width, Math.round(x * 10) / 10)), Math.max(0, Math.min(canvas.height, Math.round(y * 10) / 10))];
  };
  const draw = () => {
    context.clearRect(0, 0, canvas.width, canvas.height);
    context.lineWidth = 3;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#1f2a30";
    for (const stroke of strokes) {
      context.beginPath();
      stroke.forEach(([x, y], i) => (i ? context.lineTo(x, y) : context.moveTo(x, y)));
      if (stroke.length === 1) context.lineTo(stroke[0][0] + 0.1, stroke[0][1]);
      context.stroke();
    }
    field.value = strokes.length ? JSON.stringify(strokes) : "";
  };
  canvas.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    current = [point(event)];
    strokes.push(current);
    draw();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!current) return;
    current.push(point(event));
    draw();
  });
  const end = () => { current = null; };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  document.getElementById("signature-clear")?.addEventListener("click", () => {
    strokes.length = 0;
    draw();
  });
})();
