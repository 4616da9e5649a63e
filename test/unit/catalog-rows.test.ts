/** The catalog CSV's header check and row rules: the messages users read in an import's report. */
import { checkHeader, parsePrice, validateRow, type HeaderLayout } from '../../src/domain/catalog/rows';

const layoutOf = (header: string[]): HeaderLayout => {
  const checked = checkHeader(header);
  if (!checked.layout) throw new Error(JSON.stringify(checked.issues));
  return checked.layout;
};

describe('header', () => {
  test('required columns in any order and case, optional ones allowed', () => {
    const layout = layoutOf([' Price ', 'SKU', 'category', 'name', 'attributes']);
    expect(layout.positions).toEqual({ price: 0, sku: 1, category: 2, name: 3, attributes: 4 });
    expect(layout.width).toBe(5);
  });

  test('missing, unknown, duplicate and unnamed columns are each reported', () => {
    const checked = checkHeader(['sku', 'nme', 'price', 'price', '']);
    expect(checked.layout).toBeUndefined();
    expect(checked.issues).toEqual([
      { column: 'nme', reason: 'unknown column "nme"; the columns are sku, name, price, category, active, attributes' },
      { column: 'price', reason: 'column "price" appears more than once' },
      { column: '#5', reason: 'column 5 has no name' },
      { column: 'name', reason: 'required column "name" is missing' },
      { column: 'category', reason: 'required column "category" is missing' },
    ]);
  });
});

describe('price', () => {
  test.each([
    ['12', '12.00'],
    ['12.3', '12.30'],
    ['12.34', '12.34'],
    ['0', '0.00'],
    ['007.5', '7.50'],
    ['9999999999.99', '9999999999.99'],
  ])('%s is %s', (text, price) => {
    expect(parsePrice(text)).toEqual({ price });
  });

  test.each([
    ['', 'price is required'],
    ['-1.00', 'price must be zero or more, got -1.00'],
    ['1.234', 'price must have at most 2 decimal places, got 1.234'],
    ['1,50', 'price must use a dot as the decimal separator, got 1,50'],
    ['12345678901', 'price must be below 10000000000, got 12345678901'],
    ['abc', 'price must be a number like 12.34, got "abc"'],
    ['1e3', 'price must be a number like 12.34, got "1e3"'],
  ])('%j is refused: %s', (text, reason) => {
    expect(parsePrice(text)).toEqual({ reason });
  });
});

describe('row', () => {
  const layout = layoutOf(['sku', 'name', 'price', 'category', 'active', 'attributes']);

  test('a valid row becomes an item, values trimmed, defaults applied', () => {
    expect(validateRow([' A-1 ', ' Shirt ', '10.5', 'apparel', '', ''], layout)).toEqual({
      item: { sku: 'A-1', name: 'Shirt', price: '10.50', category: 'apparel', active: true, attributes: {} },
      issues: [],
    });
    expect(validateRow(['B.2', 'Cap', '3', 'hats', 'no', '{"size":"M"}'], layout).item).toMatchObject({ active: false, attributes: { size: 'M' } });
  });

  test('every problem of a row is reported with its column', () => {
    const result = validateRow(['', '', '-2', '', 'maybe', '[1]'], layout);
    expect(result.item).toBeUndefined();
    expect(result.issues.map((issue) => issue.column)).toEqual(['sku', 'name', 'price', 'category', 'active', 'attributes']);
    expect(result.issues[0]!.reason).toBe('sku is required');
    expect(result.issues[5]!.reason).toMatch(/JSON object/);
  });

  test('a bad sku and a wrong number of fields', () => {
    expect(validateRow(['has space', 'x', '1', 'c', '', ''], layout).issues[0]!.reason).toMatch(/^sku must be 1 to 64 letters/);
    expect(validateRow(['A1', 'x', '1'], layout).issues).toEqual([{ column: '*', reason: 'expected 6 fields, found 3' }]);
  });
});
