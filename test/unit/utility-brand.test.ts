import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contrastRatio } from '../../domain/contrast.js';
import { DEMO_UTILITY, loadConfig } from '../../lib/config.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'brand-'));
const file = (name: string, bytes: number[] | Buffer) => {
  const p = path.join(dir, name);
  writeFileSync(p, Buffer.from(bytes));
  return p;
};
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13];
const JPEG = [0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46];

describe('WCAG contrast (hand-worked)', () => {
  it('gives the published extremes and a known pair', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#ffffff')).toBe(1);
    // #767676 on white is the lightest grey that passes AA: 4.54:1
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
    expect(contrastRatio('blue', '#ffffff')).toBeNull();
  });
});

describe('utility branding from UTILITY_LOGO and UTILITY_BRAND_COLOR', () => {
  it('uses the demo logo and colour until they are set', () => {
    const { utility } = loadConfig({});
    expect(utility.logo).toEqual(DEMO_UTILITY.logo);
    expect(utility.brandColor).toBe('#0b5cad');
  });

  it('tells PNG from JPEG by the first bytes, not the name', () => {
    expect(loadConfig({ UTILITY_LOGO: file('logo.jpg', PNG) }).utility.logo?.type).toBe('image/png');
    expect(loadConfig({ UTILITY_LOGO: file('logo.png', JPEG) }).utility.logo?.type).toBe('image/jpeg');
  });

  it('refuses a logo that is missing, not an image pdfkit can print, or too large', () => {
    expect(() => loadConfig({ UTILITY_LOGO: path.join(dir, 'nope.png') })).toThrow(
      /UTILITY_LOGO must be a readable/,
    );
    expect(() => loadConfig({ UTILITY_LOGO: file('logo.svg', Buffer.from('<svg/>')) })).toThrow(
      /UTILITY_LOGO must be a PNG or JPEG/,
    );
    expect(() =>
      loadConfig({
        UTILITY_LOGO: file('big.png', Buffer.concat([Buffer.from(PNG), Buffer.alloc(300 * 1024)])),
      }),
    ).toThrow(/at most 256 KB/);
  });

  it("a real utility's name without a logo shows no demo logo", () => {
    const { utility } = loadConfig({ UTILITY_NAME: 'Cedar Falls Water', UTILITY_REMIT_TO: 'PO Box 1' });
    expect(utility.logo).toBeNull();
  });

  it('takes a dark colour and refuses one white text cannot be read on', () => {
    expect(loadConfig({ UTILITY_BRAND_COLOR: '#1F6F3A' }).utility.brandColor).toBe('#1f6f3a');
    expect(() => loadConfig({ UTILITY_BRAND_COLOR: '#ffcc00' })).toThrow(/too light.*4.5:1/);
    expect(() => loadConfig({ UTILITY_BRAND_COLOR: 'green' })).toThrow(/#rrggbb/);
  });
});
