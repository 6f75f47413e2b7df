/** The open pixel: a transparent 1×1 GIF (43 bytes), the same bytes for every request (R-K2). */
export const PIXEL_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
