import { ImportWizard } from '../modules/imports/components/ImportWizard';

/** Import records from a file (CSV, XLSX, vCard; HubSpot and Salesforce exports). */
export function ImportPage() {
  return <ImportWizard />;
}
