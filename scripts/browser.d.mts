export declare const CHROMIUM_ARGS: string[];
export declare function findChromium(): Promise<{ executablePath: string; source: string } | { missing: string }>;
