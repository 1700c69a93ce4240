// A bill line's description on a Spanish bill: the common names and the rate engine's generated parts
// translated, the tariff's own name kept when no translation is known, English bills untouched.
import { describe, expect, it } from 'vitest';
import { chargeDescription } from '../../domain/charge-words.js';

const es = (d: string) => chargeDescription(d, 'es');

describe('chargeDescription', () => {
  it('leaves an English bill as stored', () => {
    for (const d of ['Water usage, tier 1', 'Customer charge', 'City utility tax (3%)'])
      expect(chargeDescription(d, 'en')).toBe(d);
  });

  it('translates fixed and customer charges, usage and tiers, with the service named in them', () => {
    expect(es('Customer charge')).toBe('Cargo fijo');
    expect(es('Water customer charge')).toBe('Cargo fijo de agua');
    expect(es('Water base charge')).toBe('Cargo básico de agua');
    expect(es('Sewer base charge')).toBe('Cargo básico de alcantarillado');
    expect(es('Basic charge')).toBe('Cargo básico');
    expect(es('Water usage')).toBe('Consumo de agua');
    expect(es('Water usage tier 1')).toBe('Consumo de agua nivel 1');
    expect(es('Water usage, tier 2')).toBe('Consumo de agua, nivel 2');
    expect(es('Water, tier 3')).toBe('Agua, nivel 3');
    expect(es('Sewer')).toBe('Alcantarillado');
  });

  it('translates seasons, time-of-use periods, taxes, fees, minimums and net-metering credits', () => {
    expect(es('Energy (summer)')).toBe('Energía (verano)');
    expect(es('Energy (winter), tier 2')).toBe('Energía (invierno), nivel 2');
    expect(es('Energy, on-peak tier 2')).toBe('Energía, horas pico nivel 2');
    expect(es('City utility tax (3%)')).toBe('Impuesto municipal sobre servicios públicos (3%)');
    expect(es('City utility tax (exempt)')).toBe('Impuesto municipal sobre servicios públicos (exento)');
    expect(es('Late payment fee')).toBe('Recargo por pago atrasado');
    expect(es('Adjustment')).toBe('Ajuste');
    expect(es('Water base charge (bill brought up to the minimum)')).toBe(
      'Cargo básico de agua (factura llevada al mínimo)',
    );
    expect(es('Export credit, Solar (12.5 kWh at the sell rate)')).toBe(
      'Crédito por exportación, Solar (12.5 kWh a la tarifa de venta)',
    );
  });

  it("keeps the tariff's own name where no translation is known, translating only the generated parts", () => {
    expect(es('Trash, 64 gal cart')).toBe('Basura, 64 gal cart');
    expect(es('Fire line standby')).toBe('Fire line standby');
    expect(es('Fire line standby, tier 2')).toBe('Fire line standby, nivel 2');
    expect(es('Conservation surcharge (winter)')).toBe('Conservation surcharge (invierno)');
    expect(es('Conservation surcharge (special)')).toBe('Conservation surcharge (special)');
  });
});
