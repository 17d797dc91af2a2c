/**
 * CellCarrier names (API.md §7) with their e-mail-to-SMS gateway domains: the
 * one table that says where a text message for a carrier goes.
 */
export const CELL_CARRIER_GATEWAYS = {
  Undefined: null,
  ATTCingular: 'txt.att.net',
  Verizon: 'vtext.com',
  TMobile: 'tmomail.net',
  SprintPCS: 'messaging.sprintpcs.com',
  Nextel: 'messaging.nextel.com',
  Alltel: 'message.alltel.com',
  VirginMobile: 'vmobl.com',
  ATT: 'txt.att.net',
  BoostMobile: 'sms.myboostmobile.com',
  USCellular: 'email.uscc.net',
  MetroPCS: 'mymetropcs.com',
  Powertel: 'voicestream.net',
} as const satisfies Record<string, string | null>;

export type CellCarrier = keyof typeof CELL_CARRIER_GATEWAYS;
export const CELL_CARRIERS = Object.keys(CELL_CARRIER_GATEWAYS) as CellCarrier[];

/** The gateway address for a phone number, or null when the carrier has none. */
export function smsGatewayAddress(cellPhone: string, carrier: CellCarrier): string | null {
  const domain = CELL_CARRIER_GATEWAYS[carrier];
  const digits = cellPhone.replace(/\D/g, '');
  if (!domain || digits.length === 0) return null;
  return `${digits}@${domain}`;
}
