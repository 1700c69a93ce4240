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
