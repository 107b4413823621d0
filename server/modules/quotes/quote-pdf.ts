import { minorDigits } from './quote-totals';

export interface QuoteDocument {
  workspaceName: string;
  number: number;
  name: string;
  status: string;
  createdAt: string;
  validUntil: string | null;
  currency: string;
  accountName: string | null;
  contactName: string | null;
  terms: string | null;
  lines: {
    name: string;
    description: string | null;
    quantity: string;
    unitPrice: string;
    discountPercent: string;
    taxRate: string;
    total: string;
  }[];
  subtotal: string;
  discountTotal: string;
  taxTotal: string;
  total: string;
}

/** "1234567.5" → "1,234,567.50" (exact: the decimal string is never turned into a float). */
export function formatAmount(amount: string, currency: string): string {
  const digits = minorDigits(currency);
  const negative = amount.startsWith('-');
  const [int = '0', frac = ''] = (negative ? amount.slice(1) : amount).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const decimals = digits > 0 ? `.${frac.padEnd(digits, '0').slice(0, digits)}` : '';
  return `${negative ? '-' : ''}${grouped}${decimals}`;
}

/** The quote as a PDF (A4), for the customer. */
export async function renderQuotePdf(q: QuoteDocument): Promise<Buffer> {
  // pdfkit (with its fonts) loads on the first quote printed, not with every start-up.
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: { Title: `Quote ${q.number}: ${q.name}`, Author: q.workspaceName },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const money = (a: string) => `${q.currency} ${formatAmount(a, q.currency)}`;

  doc.font('Helvetica-Bold').fontSize(20).text(q.workspaceName);
  doc.moveDown(0.5).fontSize(16).text(`Quote ${q.number}`);
  doc.font('Helvetica').fontSize(11).text(q.name);
  doc.moveDown();
  const facts: [string, string | null][] = [
    ['For', q.accountName],
    ['Attention', q.contactName],
    ['Date', q.createdAt.slice(0, 10)],
    ['Valid until', q.validUntil],
    ['Status', q.status],
  ];
  for (const [k, v] of facts) if (v) doc.text(`${k}: ${v}`);
  doc.moveDown();

  const cols = [50, 250, 310, 390, 440, 490];
  const header = ['Item', 'Qty', 'Unit price', 'Disc. %', 'Tax %', 'Total'];
  const row = (cells: string[], bold = false) => {
    const y = doc.y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
    cells.forEach((c, i) => {
      const x = cols[i] ?? 50;
      const width = (cols[i + 1] ?? 545) - x - 4;
      doc.text(c, x, y, { width, align: i === 0 ? 'left' : 'right' });
    });
    doc.x = 50;
    doc.moveDown(0.4);
  };
  row(header, true);
  for (const l of q.lines) {
    row([
      l.name,
      l.quantity,
      formatAmount(l.unitPrice, q.currency),
      l.discountPercent,
      l.taxRate,
      formatAmount(l.total, q.currency),
    ]);
    if (l.description) doc.font('Helvetica-Oblique').fontSize(8).text(l.description, 50, doc.y, { width: 200 });
  }
  doc.moveDown();
  const totals: [string, string][] = [
    ['Subtotal', money(q.subtotal)],
    ['Discount', money(q.discountTotal)],
    ['Tax', money(q.taxTotal)],
    ['Total', money(q.total)],
  ];
  for (const [k, v] of totals) {
    const y = doc.y;
    doc.font(k === 'Total' ? 'Helvetica-Bold' : 'Helvetica').fontSize(10);
    doc.text(k, 350, y, { width: 90 });
    doc.text(v, 440, y, { width: 105, align: 'right' });
  }
  if (q.terms) {
    doc.moveDown(2).font('Helvetica-Bold').fontSize(10).text('Terms', 50);
    doc.font('Helvetica').fontSize(9).text(q.terms, 50);
  }
  doc.end();
  return done;
}
