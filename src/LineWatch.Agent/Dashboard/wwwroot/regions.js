'use strict';
// Regions on the camera view: the saved polygons and the patches they leave out of the score, drawn over the live
// picture; in edit mode, clicks on the picture place a polygon's corners (normalised 0..1 image coordinates).
// Uses $, el, svg, api and message from app.js.

class RegionEditor {
  constructor(container, name) {
    this.name = name;
    this.container = container;
    this.layer = svg('svg', { id: 'region-layer', viewBox: '0 0 1 1', preserveAspectRatio: 'none' });
    container.append(this.layer);
    this.regions = [];
    this.draft = [];
    this.scored = null;
    this.grid = null;
    this.editing = false;
    this.layer.addEventListener('click', event => this.place(event));
    this.load();
  }

  async load() {
    try { this.accept(await api(`/api/cameras/${encodeURIComponent(this.name)}/regions`)); } catch (error) { message(error.message, true); }
  }

  accept(view) {
    this.regions = view.regions.map(r => ({ name: r.name, mode: r.mode, points: r.points }));
    this.scored = view.scored;
    this.grid = view.grid;
    this.list();
    this.draw();
  }

  edit(on) {
    this.editing = on;
    this.draft = [];
    this.layer.classList.toggle('editing', on);
    $('#regions-panel').hidden = !on;
    if (!on) this.load(); // back to what is saved
    this.draw();
  }

  place(event) {
    if (!this.editing) return;
    const box = this.layer.getBoundingClientRect();
    const clamp = v => Math.round(Math.min(1, Math.max(0, v)) * 10000) / 10000;
    this.draft.push([clamp((event.clientX - box.left) / box.width), clamp((event.clientY - box.top) / box.height)]);
    this.draw();
  }

  undo() { this.draft.pop(); this.draw(); }

  add() {
    const name = $('#region-name').value.trim() || `region ${this.regions.length + 1}`;
    if (this.draft.length < 3) { message('A region needs at least 3 corners: click on the picture to place them.', true); return; }
    this.regions.push({ name, mode: $('#region-mode').value, points: this.draft });
    this.draft = [];
    this.scored = null; // known again once saved
    $('#region-name').value = '';
    this.list();
    this.draw();
  }

  remove(index) { this.regions.splice(index, 1); this.scored = null; this.list(); this.draw(); }

  async save() {
    try {
      this.accept(await api(`/api/cameras/${encodeURIComponent(this.name)}/regions`, { regions: this.regions }));
      const left = this.scored ? this.scored.filter(s => !s).length : 0;
      message(`Regions saved and applied: ${this.regions.length} region(s), ${left} of ${this.grid * this.grid} patches left out of the score.`);
      this.editing = false;
      this.layer.classList.remove('editing');
      $('#regions-panel').hidden = true;
      this.draw();
    } catch (error) { message(error.message, true); }
  }

  list() {
    $('#region-list').replaceChildren(...this.regions.map((r, i) => el('li', { 'data-region': r.name },
      el('span', { class: `region-mode ${r.mode}` }, r.mode), ` ${r.name} (${r.points.length} corners) `,
      el('button', { class: 'region-delete', onclick: () => this.remove(i) }, 'Delete'))));
  }

  /** Lays the layer over the picture's content box (the image is letterboxed by object-fit: contain). */
  draw() {
    const image = $('img', this.container);
    const box = this.container.getBoundingClientRect();
    if (image?.naturalWidth) {
      const scale = Math.min(box.width / image.naturalWidth, box.height / image.naturalHeight);
      const width = image.naturalWidth * scale, height = image.naturalHeight * scale;
      Object.assign(this.layer.style, { left: `${(box.width - width) / 2}px`, top: `${(box.height - height) / 2}px`, width: `${width}px`, height: `${height}px` });
    }
    const nodes = [];
    if (this.scored && this.grid) {
      const size = 1 / this.grid;
      this.scored.forEach((scored, i) => {
        if (!scored) nodes.push(svg('rect', { class: 'masked', x: (i % this.grid) * size, y: Math.floor(i / this.grid) * size, width: size, height: size }));
      });
    }
    const points = p => p.map(([x, y]) => `${x},${y}`).join(' ');
    for (const region of this.regions) nodes.push(svg('polygon', { class: `region ${region.mode}`, points: points(region.points), 'data-region': region.name }));
    if (this.draft.length) {
      nodes.push(svg('polyline', { class: 'draft', points: points(this.draft) }));
      for (const [x, y] of this.draft) nodes.push(svg('circle', { class: 'corner', cx: x, cy: y, r: 0.008 }));
    }
    this.layer.replaceChildren(...nodes);
  }
}
