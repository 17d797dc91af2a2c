/** One submit helper for every form: busy flag, the failure to show, the success to show. */
import { useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';

export function useAction() {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>();
  const [success, setSuccess] = useState<ComponentChildren>(null);
  const run = async (work: () => Promise<ComponentChildren>) => {
    setBusy(true);
    setFailure(undefined);
    setSuccess(null);
    try {
      setSuccess(await work());
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };
  return { busy, failure, success, run, setFailure, setSuccess };
}
