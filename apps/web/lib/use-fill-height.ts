'use client';

import { useLayoutEffect, useRef, useState, type RefObject } from 'react';

/**
 * The height that makes an element end at the bottom of the window (less its <main>'s bottom
 * padding), kept right as the window or the header above it changes size: the page itself then
 * never scrolls, only the panes inside the element. Never below `min` (a very short window scrolls).
 */
export function useFillHeight<T extends HTMLElement>(min = 320): [RefObject<T | null>, number | null] {
  const ref = useRef<T>(null);
  const [height, setHeight] = useState<number | null>(null);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => {
      const main = element.closest('main');
      const bottom = main ? parseFloat(window.getComputedStyle(main).paddingBottom) || 0 : 0;
      const top = element.getBoundingClientRect().top + window.scrollY;
      setHeight(Math.max(min, Math.floor(window.innerHeight - top - bottom)));
    };
    measure();
    window.addEventListener('resize', measure);
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(measure);
    const header = document.querySelector('header');
    if (observer && header) observer.observe(header);
    return () => {
      window.removeEventListener('resize', measure);
      observer?.disconnect();
    };
  }, [min]);
  return [ref, height];
}
