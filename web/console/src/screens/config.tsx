/** Config fields (POST /v2/users/update-config) and a test SMS (POST /v2/users/send-sms). */
import { useState } from 'preact/hooks';
import { CELL_CARRIERS } from '../../../../src/domain/cell-carriers.js';
import { api } from '../api.js';
import { useAction } from '../forms.js';
import type { User } from '../session.js';
import { ApiCall, Field, Outcome, Section, Select } from '../ui.js';

export function ConfigForm({ user, onChanged }: { user: User; onChanged: () => Promise<void> }) {
  const [values, setValues] = useState({
    company: user.company,
    phone: user.phone,
    cellPhone: user.cellPhone,
    cellCarrier: user.cellCarrier as string,
    timeZoneOffset: user.timeZoneOffset === null ? '' : String(user.timeZoneOffset),
  });
  const action = useAction();
  const { timeZoneOffset, ...rest } = values;
  const body = { userId: user.userId, ...rest, ...(timeZoneOffset.trim() === '' ? {} : { timeZoneOffset: Number(timeZoneOffset) }) };
  const set = (name: keyof typeof values) => (value: string) => setValues({ ...values, [name]: value });
  return (
    <Section title="Contact and settings">
      <form onSubmit={(e) => { e.preventDefault(); void action.run(async () => { await api('POST', '/v2/users/update-config', body); await onChanged(); return 'Settings saved.'; }); }}>
        <Field label="Company" name="company" value={values.company} onValue={set('company')} failure={action.failure} />
        <Field label="Phone" name="phone" value={values.phone} onValue={set('phone')} failure={action.failure} />
        <Field label="Cell phone" name="cellPhone" value={values.cellPhone} onValue={set('cellPhone')} failure={action.failure} />
        <Select label="Cell carrier" name="cellCarrier" value={values.cellCarrier} options={CELL_CARRIERS} onValue={set('cellCarrier')} failure={action.failure} />
        <Field label="Time zone offset (hours from UTC)" name="timeZoneOffset" inputMode="decimal" value={values.timeZoneOffset} onValue={set('timeZoneOffset')} failure={action.failure} />
        <Outcome failure={action.failure} success={action.success} fields={['company', 'phone', 'cellphone', 'cellcarrier', 'timezoneoffset']} />
        <button type="submit" data-action="edit-config" disabled={action.busy}>Save settings</button>
        <ApiCall method="POST" path="/v2/users/update-config" body={body} />
      </form>
    </Section>
  );
}

export function SmsForm({ user }: { user: User }) {
  const [message, setMessage] = useState('Test message from the ecgrid-identity console.');
  const action = useAction();
  const body = { userId: user.userId, message };
  return (
    <Section title="Test SMS">
      <form onSubmit={(e) => { e.preventDefault(); void action.run(async () => { await api('POST', '/v2/users/send-sms', body); return `SMS sent to ${user.cellPhone} (${user.cellCarrier}).`; }); }}>
        <Field label="Message (1–160 characters)" name="message" value={message} onValue={setMessage} maxLength={160} failure={action.failure} />
        <Outcome failure={action.failure} success={action.success} fields={['message']} />
        <button type="submit" data-action="send-sms" disabled={action.busy}>Send test SMS</button>
        <ApiCall method="POST" path="/v2/users/send-sms" body={body} />
      </form>
    </Section>
  );
}
