export declare function findPython(): string | undefined;
export declare function missingPrerequisites(options?: { postgres?: boolean; python?: boolean; browser?: boolean }): Promise<string[]>;
