// Text of a PDF, page by page, as a reader (or a screen reader) would get it.
import { createRequire } from 'node:module';
import path from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

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
