import { defineModule } from '../../platform/modules';
import { seedFormsDemo } from './forms.demo';
import { formRoutes } from './forms.routes';

/**
 * Web forms: built in the app (fields mapped to lead or contact fields), served as a
 * hosted page (`/f/{id}`) or posted to from an embedded snippet; a submission creates
 * or updates the lead or contact with that email, keeps the submission, records
 * consents with their proof (double opt-in by email) and emits `form.submitted`.
 */
export const formsModule = defineModule({
  name: 'forms',
  /** Event types workflows may start on (each names a record). */
  triggers: ['form.submitted'],
  routes: formRoutes,
  demo: seedFormsDemo,
});
