/** The ECGrid API version this server speaks (GET /v2/auth/version). */
export const API_VERSION = '2.6';
