// The words a customer agrees to when they add a mobile number for text alerts, one version at a time. The
// portal shows this text at opt-in; the API stores the version and language agreed to with the time.
export const SMS_CONSENT_VERSION = '2026-12-01';

export const SMS_CONSENT_TEXT: Record<'en' | 'es', string> = {
  en:
    'By adding this number you agree to get text messages from your utility about your account: the alerts you ' +
    'choose, and codes to confirm the number. Message frequency varies. Message and data rates may apply. ' +
    'Reply STOP to stop, HELP for help. Consent is not a condition of service.',
  es:
    'Al agregar este número, acepta recibir mensajes de texto de su empresa de servicios sobre su cuenta: los ' +
    'avisos que elija y códigos para confirmar el número. La frecuencia de los mensajes varía. Pueden aplicarse ' +
    'tarifas de mensajes y datos. Responda PARAR para dejar de recibirlos o AYUDA para obtener ayuda. El ' +
    'consentimiento no es una condición del servicio.',
};
