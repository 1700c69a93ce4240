// A business rule said no (a dispute on a cancelled bill, a second arrangement, a date that is not a date).
// The API answers it as a 4xx with the code and field; an activity reports it as a non-retryable failure.
export class Refused extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The record a request names is not there: answered 404 with the API's "No such …" wording. */
export const noSuch = (what: string, id: string, param = 'id') =>
  new Refused(`No such ${what}: '${id}'`, 'resource_missing', param);
