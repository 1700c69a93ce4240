// Small native tariffs for tests.
export const simpleTariff = (service: string, unit: string, customerCharge: string, unitPrice: string) => ({
  schema: 'cisflow.tariff/1',
  name: `${service} test tariff`,
  service,
  unit,
  components: [
    {
      type: 'fixed',
      name: `${service[0]!.toUpperCase()}${service.slice(1)} customer charge`,
      amount: customerCharge,
    },
    {
      type: 'volumetric',
      name: `${service[0]!.toUpperCase()}${service.slice(1)} usage`,
      tiers: [{ from: '0', price: unitPrice }],
    },
  ],
});

/** $10.00 a month, 0-10 ccf at $2.00, above 10 at $5.00: the bill explanation tests' hand-worked tariff. */
export const tieredWater = {
  schema: 'cisflow.tariff/1',
  name: 'Tiered water',
  service: 'water',
  unit: 'ccf',
  components: [
    { type: 'fixed', name: 'Customer charge', amount: '10.00' },
    {
      type: 'volumetric',
      name: 'Water usage',
      tiers: [
        { from: '0', price: '2.00' },
        { from: '10', price: '5.00' },
      ],
    },
  ],
};
