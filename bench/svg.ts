/**
 * A small line chart as SVG for a growth series (bench/stage.ts `Series`): the x values spaced evenly
 * (sizes grow by factors, so even spacing reads as a log scale), y from zero, one polyline per line,
 * points labelled with their values. Plain SVG text with a title and description, readable without a browser.
 */
import type { Series } from './stage.ts';

const WIDTH = 560;
const HEIGHT = 320;
const MARGIN = { left: 70, right: 150, top: 40, bottom: 50 };
const COLOURS = ['#1f6feb', '#d1242f', '#1a7f37', '#8250df', '#bf8700'];

export function chart(series: Series): string {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const xs = series.x.values;
  const finite = series.lines.flatMap((line) => line.values).filter(Number.isFinite);
  const top = niceCeiling(Math.max(0, ...finite));
  const xAt = (i: number) =>
    MARGIN.left + (xs.length === 1 ? plotWidth / 2 : (i * plotWidth) / (xs.length - 1));
  const yAt = (v: number) => MARGIN.top + plotHeight - (top === 0 ? 0 : (v / top) * plotHeight);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<title>${xml(series.title)}</title>`,
    `<desc>${xml(`${series.y.label} (${series.y.unit}) by ${series.x.label}; growth: ${series.growth}`)}</desc>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    `<text x="${MARGIN.left}" y="20" font-size="14" font-weight="bold">${xml(series.title)}</text>`,
    `<line x1="${MARGIN.left}" y1="${yAt(0)}" x2="${MARGIN.left + plotWidth}" y2="${yAt(0)}" stroke="#000"/>`,
    `<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${yAt(0)}" stroke="#000"/>`,
  ];
  for (let tick = 0; tick <= 4; tick += 1) {
    const value = (top * tick) / 4;
    parts.push(
      `<line x1="${MARGIN.left - 4}" y1="${yAt(value)}" x2="${MARGIN.left + plotWidth}" y2="${yAt(value)}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 8}" y="${yAt(value) + 4}" text-anchor="end">${format(value)}</text>`,
    );
  }
  xs.forEach((x, i) => {
    parts.push(`<text x="${xAt(i)}" y="${yAt(0) + 18}" text-anchor="middle">${format(x)}</text>`);
  });
  parts.push(
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 10}" text-anchor="middle">${xml(series.x.label)}</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${xml(`${series.y.label} (${series.y.unit})`)}</text>`,
  );
  series.lines.forEach((line, n) => {
    const colour = COLOURS[n % COLOURS.length];
    const points = line.values
      .map((v, i) => (Number.isFinite(v) ? `${xAt(i)},${yAt(v)}` : undefined))
      .filter((p) => p !== undefined);
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.join(' ')}"/>`);
    line.values.forEach((v, i) => {
      if (!Number.isFinite(v)) return;
      parts.push(
        `<circle cx="${xAt(i)}" cy="${yAt(v)}" r="3" fill="${colour}"/>`,
        `<text x="${xAt(i) + 5}" y="${yAt(v) - 6}" fill="${colour}">${format(v)}</text>`,
      );
    });
    const legendY = MARGIN.top + 14 + n * 18;
    parts.push(
      `<line x1="${WIDTH - MARGIN.right + 12}" y1="${legendY - 4}" x2="${WIDTH - MARGIN.right + 30}" y2="${legendY - 4}" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${WIDTH - MARGIN.right + 34}" y="${legendY}">${xml(line.name)}</text>`,
    );
  });
  parts.push(
    `<text x="${WIDTH - MARGIN.right + 12}" y="${HEIGHT - MARGIN.bottom}" font-style="italic">${xml(series.growth.split(' (')[0]?.slice(0, 24) ?? '')}</text>`,
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}

function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

function format(value: number): string {
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return value.toFixed(0);
  return Number(value.toPrecision(3)).toString();
}

function xml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}
