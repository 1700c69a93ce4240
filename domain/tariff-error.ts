// A tariff that cannot be used, with the path of the field at fault (`components[1].tiers[0].price`).
export class TariffError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'TariffError';
  }
}
