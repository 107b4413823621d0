import { ActionIcon, Group, Paper, Select, SimpleGrid, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { Icon } from '../../../ui/Icon';
import { formatDecimal } from '../../records/utils/format';
import type { CatalogueItem } from '../hooks/useQuoteCatalogue';
import type { LineAmounts } from '../utils/quote-math';

export interface DraftLine {
  key: string;
  productId: string | null;
  name: string;
  quantity: string;
  unitPrice: string;
  discountPercent: string;
  taxRate: string;
}

interface Props {
  index: number;
  line: DraftLine;
  amounts: LineAmounts | null;
  currency: string;
  catalogue: CatalogueItem[];
  readOnly: boolean;
  errors: (field: string) => string | undefined;
  onChange: (line: DraftLine) => void;
  onRemove: () => void;
}

/** One line item: product (fills name, price and tax from the price book), quantity, price, discount, tax, its total. */
export function QuoteLineRow({
  index,
  line,
  amounts,
  currency,
  catalogue,
  readOnly,
  errors,
  onChange,
  onRemove,
}: Props) {
  const n = index + 1;
  const set = (k: keyof DraftLine) => (e: { currentTarget: { value: string } }) =>
    onChange({ ...line, [k]: e.currentTarget.value });
  return (
    <Paper withBorder radius="md" p="sm" component="li" data-testid="quote-line" aria-label={`Line ${n}`}>
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 7 }} spacing="xs" verticalSpacing="xs">
        <Select
          label={<LineLabel text="Product" n={n} />}
          placeholder="Free text line"
          searchable
          clearable
          data={catalogue.map((p) => ({ value: p.id, label: p.sku ? `${p.name} (${p.sku})` : p.name }))}
          value={line.productId}
          disabled={readOnly}
          onChange={(id) => {
            const p = catalogue.find((x) => x.id === id);
            onChange({
              ...line,
              productId: id,
              name: p ? p.name : line.name,
              unitPrice: p?.unitPrice ?? line.unitPrice,
              taxRate: p?.taxRate ?? line.taxRate,
            });
          }}
          error={errors('productId')}
          style={{ gridColumn: 'span 2' }}
        />
        <TextInput
          label={<LineLabel text="Description" n={n} />}
          value={line.name}
          onChange={set('name')}
          disabled={readOnly}
          error={errors('name')}
        />
        <TextInput
          label={<LineLabel text="Quantity" n={n} />}
          inputMode="decimal"
          value={line.quantity}
          onChange={set('quantity')}
          disabled={readOnly}
          error={errors('quantity')}
        />
        <TextInput
          label={<LineLabel text="Unit price" n={n} />}
          inputMode="decimal"
          value={line.unitPrice}
          onChange={set('unitPrice')}
          disabled={readOnly}
          error={errors('unitPrice')}
          rightSection={<Text size="xs">{currency}</Text>}
          rightSectionWidth={44}
        />
        <TextInput
          label={<LineLabel text="Discount %" n={n} />}
          inputMode="decimal"
          value={line.discountPercent}
          onChange={set('discountPercent')}
          disabled={readOnly}
          error={errors('discountPercent')}
        />
        <TextInput
          label={<LineLabel text="Tax %" n={n} />}
          inputMode="decimal"
          value={line.taxRate}
          onChange={set('taxRate')}
          disabled={readOnly}
          error={errors('taxRate')}
        />
      </SimpleGrid>
      <Group justify="space-between" mt="xs" wrap="nowrap">
        <Text size="sm" c="dimmed" style={{ minWidth: 0 }}>
          {amounts
            ? `${formatDecimal(amounts.gross)} − ${formatDecimal(amounts.discount)} + tax ${formatDecimal(amounts.tax)}`
            : 'Enter a quantity and a unit price'}
        </Text>
        <Group gap="xs" wrap="nowrap">
          <Text fw={700} data-testid="line-total">
            {amounts ? `${formatDecimal(amounts.total)} ${currency}` : '—'}
          </Text>
          {!readOnly && (
            <ActionIcon variant="subtle" color="red" size={40} aria-label={`Remove line ${n}`} onClick={onRemove}>
              <Icon name="trash" size={16} />
            </ActionIcon>
          )}
        </Group>
      </Group>
    </Paper>
  );
}

/** "Quantity" on screen, "Quantity (line 2)" for screen readers. */
function LineLabel({ text, n }: { text: string; n: number }) {
  return (
    <>
      {text}
      <VisuallyHidden> (line {n})</VisuallyHidden>
    </>
  );
}
