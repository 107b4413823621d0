import { useQuery } from '@tanstack/react-query';
import { recordKeys } from '../../records/api/record-keys';
import { listRecords, type RecordData } from '../../records/api/records.api';
import { getPrices, salesKeys } from '../api/sales.api';

export interface CatalogueItem {
  id: string;
  name: string;
  sku: string | null;
  taxRate: string | null;
  /** The price in the quote's price book and currency, if it has one. */
  unitPrice: string | null;
}

/** Active products with their price in the quote's price book and currency (for the line item picker). */
export function useQuoteCatalogue(priceBookId: string | null, currency: string) {
  const products = useQuery({
    queryKey: [...recordKeys.all('products'), 'catalogue'],
    queryFn: ({ signal }) =>
      listRecords('products', { filter: { field: 'active', op: 'eq', value: true }, sort: 'name', limit: 500 }, signal),
    staleTime: 30_000,
  });
  const prices = useQuery({
    queryKey: salesKeys.prices(priceBookId ?? '', currency),
    queryFn: ({ signal }) => getPrices(priceBookId ?? '', currency, signal),
    enabled: !!priceBookId,
    staleTime: 30_000,
  });
  const priceOf = new Map((prices.data ?? []).map((p) => [p.productId, p.unitPrice]));
  const items: CatalogueItem[] = (products.data?.data ?? []).map((p: RecordData) => ({
    id: p.id,
    name: String(p.name ?? ''),
    sku: typeof p.sku === 'string' ? p.sku : null,
    taxRate: p.taxRate === null || p.taxRate === undefined ? null : String(p.taxRate),
    unitPrice: priceOf.get(p.id) ?? null,
  }));
  return {
    items,
    isLoading: products.isPending || (!!priceBookId && prices.isPending),
    error: products.error ?? prices.error,
  };
}
