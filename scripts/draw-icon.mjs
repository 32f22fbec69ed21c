// Draws media/icon.png (128×128, the Marketplace/extension icon) without an image library: a rounded
// blue tile with three task lines and a play triangle, like media/sprint-runner.svg. Anti-aliased by
// 4×4 supersampling; written as an RGBA PNG with node:zlib. Run: node scripts/draw-icon.mjs
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

const N = 128;
const SS = 4;

/** Coverage of a shape (a point test in icon coordinates) over one pixel, 0..1. */
function coverage(x, y, inside) {
  let n = 0;
  for (let i = 0; i < SS; i++) for (let j = 0; j < SS; j++) if (inside(x + (i + 0.5) / SS, y + (j + 0.5) / SS)) n++;
  return n / (SS * SS);
}

function roundedRect(x0, y0, x1, y1, r) {
  return (x, y) => {
    if (x < x0 || x > x1 || y < y0 || y > y1) return false;
    const cx = Math.min(Math.max(x, x0 + r), x1 - r);
    const cy = Math.min(Math.max(y, y0 + r), y1 - r);
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  };
}

function triangle(ax, ay, bx, by, cx, cy) {
  const side = (px, py, qx, qy, x, y) => (qx - px) * (y - py) - (qy - py) * (x - px);
  return (x, y) => {
    const a = side(ax, ay, bx, by, x, y), b = side(bx, by, cx, cy, x, y), c = side(cx, cy, ax, ay, x, y);
    return (a >= 0 && b >= 0 && c >= 0) || (a <= 0 && b <= 0 && c <= 0);
  };
}

// Layers, back to front: [shape, [r, g, b]].
const layers = [
  [roundedRect(4, 4, 124, 124, 24), [0x1f, 0x5f, 0xbf]],
  [roundedRect(24, 34, 64, 44, 5), [0xff, 0xff, 0xff]],
  [roundedRect(24, 59, 86, 69, 5), [0xff, 0xff, 0xff]],
  [roundedRect(24, 84, 58, 94, 5), [0xff, 0xff, 0xff]],
  [triangle(82, 26, 110, 44, 82, 62), [0xff, 0xc8, 0x3d]],
];

const raw = Buffer.alloc((N * 4 + 1) * N);
for (let y = 0; y < N; y++) {
  raw[y * (N * 4 + 1)] = 0; // filter: none
  for (let x = 0; x < N; x++) {
    let r = 0, g = 0, b = 0, a = 0;
    for (const [inside, [lr, lg, lb]] of layers) {
      const c = coverage(x, y, inside);
      if (c === 0) continue;
      // "over" compositing with straight alpha.
      const na = c + a * (1 - c);
      r = (lr * c + r * a * (1 - c)) / na;
      g = (lg * c + g * a * (1 - c)) / na;
      b = (lb * c + b * a * (1 - c)) / na;
      a = na;
    }
    const o = y * (N * 4 + 1) + 1 + x * 4;
    raw[o] = Math.round(r); raw[o + 1] = Math.round(g); raw[o + 2] = Math.round(b); raw[o + 3] = Math.round(a * 255);
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'media', 'icon.png');
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
