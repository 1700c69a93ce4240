// Text of a PDF, page by page, as a reader (or a screen reader) would get it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { ensureDebianPackage } from './apt.js';

const fonts = `${path.join(path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts')}/`;

/** Each page's text, whitespace collapsed. */
export async function pdfPages(pdf: Buffer | Uint8Array): Promise<string[]> {
  const doc = await getDocument({
    data: new Uint8Array(pdf),
    standardFontDataUrl: fonts,
    useSystemFonts: false,
    isEvalSupported: false,
  }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(
      content.items
        .map((it) => ('str' in it ? it.str : ''))
        .join(' ')
        .replace(/\s+/g, ' '),
    );
  }
  await doc.destroy();
  return pages;
}

export async function pdfText(pdf: Buffer | Uint8Array): Promise<string> {
  return (await pdfPages(pdf)).join(' ').replace(/\s+/g, ' ');
}

export interface PdfTags {
  title: string | undefined;
  /** the catalog's /Lang */
  lang: string | undefined;
  /** the viewer shows the title, not the file name */
  displayTitle: boolean;
  /** every structure element's role, depth first, across pages */
  roles: string[];
  /** the alternative text of each Figure */
  figureAlts: string[];
}

/** What a screen reader gets beyond the text: the title, the language and the structure tree. */
export async function pdfTags(pdf: Buffer | Uint8Array): Promise<PdfTags> {
  const doc = await getDocument({
    data: new Uint8Array(pdf),
    standardFontDataUrl: fonts,
    useSystemFonts: false,
    isEvalSupported: false,
  }).promise;
  const info = (await doc.getMetadata()).info as Record<string, unknown>;
  const prefs = (await doc.getViewerPreferences()) as Record<string, unknown> | null;
  const roles: string[] = [];
  const figureAlts: string[] = [];
  type Node = { role?: string; alt?: string; children?: Node[] };
  const walk = (n: Node) => {
    if (n.role) roles.push(n.role);
    if (n.role === 'Figure' && n.alt) figureAlts.push(n.alt);
    for (const c of n.children ?? []) walk(c);
  };
  for (let i = 1; i <= doc.numPages; i++) {
    const tree = (await (await doc.getPage(i)).getStructTree()) as Node | null;
    if (tree) walk(tree);
  }
  await doc.destroy();
  return {
    title: info.Title as string | undefined,
    lang: info.Language as string | undefined,
    displayTitle: prefs?.DisplayDocTitle === true,
    roles,
    figureAlts,
  };
}

const PDFTOPPM = 'pdftoppm';
const hasPdftoppm = () => spawnSync(PDFTOPPM, ['-v']).error === undefined;

/** Debian's poppler-utils (pdftoppm) when it is missing. Returns a reason when it cannot. */
export function ensurePdftoppm(log: (m: string) => void = console.log): string | null {
  return ensureDebianPackage('poppler-utils', hasPdftoppm, 'the bill screenshot', log);
}

/**
 * Page `page` of the PDF as test-output/screenshots/<name>.png. Returns the file, or the reason it could not
 * be made (a screenshot is for people to look at: its absence never fails a test).
 */
export function pdfPagePng(
  pdf: Buffer | Uint8Array,
  name: string,
  page = 1,
): { file: string } | { skipped: string } {
  const problem = ensurePdftoppm();
  if (problem) return { skipped: problem };
  const dir = path.resolve('test-output/screenshots');
  mkdirSync(dir, { recursive: true });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'cisflow-pdf-'));
  try {
    writeFileSync(path.join(tmp, 'bill.pdf'), pdf);
    const out = path.join(dir, name);
    const r = spawnSync(
      PDFTOPPM,
      [
        '-png',
        '-r',
        '100',
        '-f',
        String(page),
        '-l',
        String(page),
        '-singlefile',
        path.join(tmp, 'bill.pdf'),
        out,
      ],
      { encoding: 'utf8' },
    );
    if (r.status !== 0 || !existsSync(`${out}.png`))
      return { skipped: `pdftoppm failed (${r.status}): ${(r.stderr ?? '').slice(-300)}` };
    return { file: `${out}.png` };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
