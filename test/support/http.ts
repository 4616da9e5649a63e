/** Response bodies in tests are asserted on, not typed: `any` keeps the assertions readable. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const json = async (response: Response): Promise<any> => response.json();
