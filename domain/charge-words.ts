// A bill line's description in the customer's language. Descriptions are stored as the rate engine wrote
// them, in English: the tariff's component name plus generated parts ("Water usage, tier 2", "City utility
// tax (3%)", "Water base charge (bill brought up to the minimum)"). On a Spanish bill the common names and the
// generated parts are translated through the small maps below; a name no map knows is printed as the tariff
// has it. Nothing stored changes. Pure: the PDF (and any other reader) calls it with the stored text.
import type { BillLanguage } from './date-format.js';

/** service names (the service_type values a bill segment can have), capitalized as a heading */
export const SERVICE_NAMES: Record<BillLanguage, Record<string, string>> = {
  en: { water: 'Water', sewer: 'Sewer', electric: 'Electric', gas: 'Gas', trash: 'Trash' },
  es: { water: 'Agua', sewer: 'Alcantarillado', electric: 'Electricidad', gas: 'Gas', trash: 'Basura' },
};

/** a service named inside a description ("Water customer charge"): "de agua" */
const SERVICE_OF: Record<string, string> = {
  water: 'agua',
  sewer: 'alcantarillado',
  wastewater: 'aguas residuales',
  stormwater: 'aguas pluviales',
  electric: 'electricidad',
  electricity: 'electricidad',
  gas: 'gas',
  trash: 'basura',
  garbage: 'basura',
  recycling: 'reciclaje',
};

/** common component names, lower case, and what the Spanish bill prints */
const NAMES: Record<string, string> = {
  'customer charge': 'Cargo fijo',
  'fixed charge': 'Cargo fijo',
  'base charge': 'Cargo básico',
  'basic charge': 'Cargo básico',
  'service charge': 'Cargo por servicio',
  'monthly charge': 'Cargo mensual',
  'minimum charge': 'Cargo mínimo',
  'meter charge': 'Cargo por medidor',
  usage: 'Consumo',
  'usage charge': 'Cargo por consumo',
  'volume charge': 'Cargo por volumen',
  commodity: 'Consumo',
  energy: 'Energía',
  'energy charge': 'Cargo por energía',
  demand: 'Demanda',
  'demand charge': 'Cargo por demanda',
  tax: 'Impuesto',
  'sales tax': 'Impuesto sobre las ventas',
  'utility tax': 'Impuesto sobre servicios públicos',
  'city utility tax': 'Impuesto municipal sobre servicios públicos',
  'state tax': 'Impuesto estatal',
  'franchise fee': 'Cargo de franquicia',
  'late fee': 'Recargo por pago atrasado',
  'late payment fee': 'Recargo por pago atrasado',
  'reconnection fee': 'Cargo por reconexión',
  adjustment: 'Ajuste',
  'billing adjustment': 'Ajuste de facturación',
  credit: 'Crédito',
  'service deposit': 'Depósito de servicio',
  'net metering credit': 'Crédito de medición neta',
  'export credit': 'Crédito por exportación',
};

/** words that qualify a name: a season, a time-of-use period, "exempt" (lower case, printed lower case) */
const QUALIFIERS: Record<string, string> = {
  summer: 'verano',
  winter: 'invierno',
  spring: 'primavera',
  fall: 'otoño',
  autumn: 'otoño',
  'on-peak': 'horas pico',
  'on peak': 'horas pico',
  peak: 'horas pico',
  'off-peak': 'fuera de horas pico',
  'off peak': 'fuera de horas pico',
  'mid-peak': 'horas intermedias',
  'super off-peak': 'horas de menor demanda',
  exempt: 'exento',
  'bill brought up to the minimum': 'factura llevada al mínimo',
  "the year's bills brought up to the annual minimum": 'facturas del año llevadas al mínimo anual',
};

/** generated qualifiers that carry a figure (net metering's), kept exact */
const FIGURED: [RegExp, string][] = [
  [/^([\d.]+) kWh surplus at the buy rate$/, '$1 kWh de excedente a la tarifa de compra'],
  [/^([\d.]+) kWh at the sell rate$/, '$1 kWh a la tarifa de venta'],
];

function qualifier(inner: string): string | undefined {
  if (/^\d+(\.\d+)?%$/.test(inner)) return inner;
  const known = QUALIFIERS[inner.toLowerCase()];
  if (known) return known;
  const f = FIGURED.find(([re]) => re.test(inner));
  return f ? inner.replace(f[0], f[1]) : undefined;
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** One comma-separated part: a name, perhaps with "tier N" and "(qualifier)" after it; null when unknown. */
function part(text: string): string | null {
  const q = /^(.*?)\s*\(([^()]+)\)$/.exec(text);
  if (q) {
    const head = q[1] ? part(q[1]) : '';
    const inner = q[2]!;
    const word = qualifier(inner);
    // "City utility tax (3%)": the name translated, the percentage as it is
    if (head === null && word === undefined) return null;
    return `${head ?? q[1]} (${word ?? inner})`.trim();
  }
  const tier = /^(.*?)\s*\btier (\d+)$/i.exec(text);
  if (tier) {
    if (!tier[1]) return `nivel ${tier[2]}`;
    const head = part(tier[1]);
    return `${head ?? tier[1]} nivel ${tier[2]}`;
  }
  const key = text.trim().toLowerCase();
  if (NAMES[key]) return NAMES[key]!;
  if (QUALIFIERS[key]) return QUALIFIERS[key]!;
  if (SERVICE_OF[key]) return SERVICE_OF[key]!.charAt(0).toUpperCase() + SERVICE_OF[key]!.slice(1);
  // "Water customer charge" -> "Cargo fijo de agua"
  const svc = /^(\S+)\s+(.+)$/.exec(key);
  if (svc && SERVICE_OF[svc[1]!] && NAMES[svc[2]!]) return `${NAMES[svc[2]!]} de ${SERVICE_OF[svc[1]!]}`;
  return null;
}

/**
 * The description a bill in `lang` prints for a stored line description: English as stored; Spanish with the
 * known names and generated parts translated, any other name kept as the tariff wrote it.
 */
export function chargeDescription(description: string, lang: BillLanguage): string {
  if (lang !== 'es') return description;
  const parts = description.split(', ');
  const out = parts.map((p, i) => {
    const es = part(p);
    if (es === null) return p;
    // a part after the first reads on from the name: "Energía, horas pico nivel 2"
    return i > 0 && p.charAt(0) === p.charAt(0).toLowerCase() ? lowerFirst(es) : es;
  });
  return out.join(', ');
}
