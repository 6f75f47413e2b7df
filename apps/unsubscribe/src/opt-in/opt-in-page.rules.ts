/**
 * The page's form posts `confirm=yes`; anything else (a scanner's empty POST included) confirms nothing (R-C8). The
 * page's language is the recipient pages' one (`recipientLanguage`, R-U6).
 */
export function isConfirmRequest(form: Record<string, unknown> | null | undefined): boolean {
  return !!form && form.confirm === 'yes';
}
