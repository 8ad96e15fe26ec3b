const s=706,i=[706],e={2706:((o,d,t)=>{t.r(d),t.d(d,{fetch:()=>c});var n=t(4398),_=t.n(n);const c=_().fetch})};export{s as id,i as ids,e as modules};
//# sourceMappingURL=706.index.js.map
