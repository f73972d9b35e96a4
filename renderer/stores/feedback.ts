import { create } from 'zustand';
import type { ErrorInfo } from '../../shared/model/errors';

/** The one place the app tells the user how their last action went: an error with its hint, or a short notice. */
export interface FeedbackState {
  error: ErrorInfo | undefined;
  notice: string | undefined;
  showError(error: ErrorInfo): void;
  showNotice(notice: string): void;
  clear(): void;
  /** Put the error away (dismissed, or the user moved on), leaving a notice where it is. */
  clearError(): void;
}

export function createFeedbackStore() {
  return create<FeedbackState>()((set) => ({
    error: undefined,
    notice: undefined,
    showError: (error) => set({ error, notice: undefined }),
    showNotice: (notice) => set({ notice, error: undefined }),
    clear: () => set({ error: undefined, notice: undefined }),
    clearError: () => set({ error: undefined }),
  }));
}
