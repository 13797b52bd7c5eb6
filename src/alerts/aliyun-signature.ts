import { createHmac } from 'node:crypto';

/**
 * Percent-encoding of Alibaba Cloud's RPC signature (signature method V1, e.g. the SMS
 * "signature mechanism" page, alibabacloud.com/help/doc-detail/252839.htm): RFC 3986, UTF-8,
 * only A-Z a-z 0-9 - _ . ~ left as they are, space as %20 (never +). encodeURIComponent
 * also spares ! ' ( ) *, which the rule encodes.
 */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The canonicalized query string: encoded names and values, sorted by name, joined with &. */
export function canonicalQuery(parameters: Readonly<Record<string, string>>): string {
  return Object.keys(parameters)
    .sort()
    .map((name) => `${percentEncode(name)}=${percentEncode(parameters[name] ?? '')}`)
    .join('&');
}

/**
 * StringToSign = Method + "&" + percentEncode("/") + "&" + percentEncode(canonical query);
 * Signature = Base64(HMAC-SHA1(key = AccessKeySecret + "&", StringToSign)).
 */
export function aliyunSignature(
  method: 'GET' | 'POST',
  parameters: Readonly<Record<string, string>>,
  secret: string,
): string {
  const stringToSign = `${method}&${percentEncode('/')}&${percentEncode(canonicalQuery(parameters))}`;
  return createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
}
